/**
 * Why Nara refused a change made in a tenant or key form, worded the same in both. The message also
 * sits next to the field Nara names (`error.param`); this notice carries the code and request id an
 * operator quotes, and says plainly when Nara was not reached at all (nothing was refused then).
 */
import type { ApiError } from '../../api/client.js';
import { componentMessages } from '../../components/messages.js';
import { useMessages } from '../../i18n/index.js';
import { tenantMessages } from './messages.js';

export function FormFailure({ failure }: { failure: ApiError }) {
  const t = useMessages(tenantMessages);
  const common = useMessages(componentMessages);
  if (failure.code === 'network_error') {
    return (
      <div className="notice notice-error" role="alert" data-testid="form-error" data-code={failure.code}>
        <p>{common('networkError')}</p>
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert" data-testid="form-error" data-code={failure.code}>
      <p className="state-title">{t('formError')}</p>
      <p>{failure.message}</p>
      <p className="muted small">
        <code>{failure.code}</code>
        {failure.requestId === null ? null : (
          <>
            {' · '}
            <code>{failure.requestId}</code>
          </>
        )}
      </p>
    </div>
  );
}
