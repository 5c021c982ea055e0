/**
 * The PostgreSQL schema, as an ordered list of migrations. Applied ones are recorded in
 * nara_schema_migrations and never edited: change the schema by appending a migration.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    id: 1,
    name: 'directory',
    sql: `
      -- A tenant's fields are one JSON document (the TenantRecord without its timestamps): nothing
      -- queries inside it, and new optional fields then need no migration.
      CREATE TABLE nara_tenants (
        id text PRIMARY KEY,
        record jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );

      -- No foreign key to nara_tenants: keys of tenants declared in nara.yaml are stored here too.
      CREATE TABLE nara_api_keys (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        hash text NOT NULL UNIQUE,
        hint text NOT NULL,
        name text,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz,
        expires_at timestamptz,
        limits jsonb,
        models jsonb,
        rotated_from text
      );
      CREATE INDEX nara_api_keys_tenant ON nara_api_keys (tenant_id);

      -- One row, bumped in the same transaction as every directory write, so servers can poll it.
      -- The epoch tells a re-created schema (counter back at 0) from the old one.
      CREATE TABLE nara_directory_version (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        epoch text NOT NULL,
        version bigint NOT NULL
      );
      INSERT INTO nara_directory_version (singleton, epoch, version)
        VALUES (true, md5(random()::text || clock_timestamp()::text), 0);
    `,
  },
  {
    id: 2,
    name: 'usage',
    sql: `
      CREATE TABLE nara_usage (
        request_id text PRIMARY KEY,
        at timestamptz NOT NULL,
        day date NOT NULL,
        tenant_id text NOT NULL,
        key_id text NOT NULL,
        model text NOT NULL,
        backend_id text,
        jurisdiction text,
        operation text NOT NULL,
        stream boolean NOT NULL,
        status integer NOT NULL,
        error_code text,
        prompt_tokens bigint NOT NULL,
        completion_tokens bigint NOT NULL,
        cached_tokens bigint NOT NULL,
        estimated boolean NOT NULL,
        cost_micros bigint NOT NULL,
        currency text NOT NULL,
        latency_ms double precision NOT NULL,
        attempts integer NOT NULL
      );
      CREATE INDEX nara_usage_tenant_day ON nara_usage (tenant_id, day);
      CREATE INDEX nara_usage_key_day ON nara_usage (key_id, day);
      CREATE INDEX nara_usage_day ON nara_usage (day);
    `,
  },
];
