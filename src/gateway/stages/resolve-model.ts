/** Stage "resolve-model": the model must exist and be on the tenant's and the key's allow-lists, where they have one. */
import { NaraError } from '../../spec/errors.js';
import { pass, stop, type Verdict } from '../../spec/stage.js';
import type { TenantConfig } from '../../config/types.js';
import type { RoutingTable } from '../routing-table.js';

export function resolveModel(model: string, tenant: TenantConfig, table: RoutingTable, keyModels?: ReadonlySet<string>): Verdict<string> {
  if (!table.serves(model)) {
    return stop(new NaraError('model_not_found', `The model '${model}' does not exist. GET /v1/models lists the models you can use.`, { param: 'model' }));
  }
  if (tenant.models !== undefined && !tenant.models.has(model)) {
    return stop(new NaraError('model_not_allowed', `Tenant '${tenant.id}' is not allowed to use model '${model}'.`, { param: 'model' }));
  }
  if (keyModels !== undefined && !keyModels.has(model)) {
    return stop(new NaraError('model_not_allowed', `This API key may use only ${[...keyModels].join(', ')}; not '${model}'.`, { param: 'model' }));
  }
  return pass(model);
}
