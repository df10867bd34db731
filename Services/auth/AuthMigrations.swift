import ServiceKit

/// The auth database's schema.
enum AuthMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "accounts and signing keys",
            statements: [
                """
                CREATE TABLE accounts (
                    id uuid PRIMARY KEY,
                    email text NOT NULL UNIQUE CHECK (email = lower(btrim(email))),
                    name text NOT NULL,
                    password_hash text NOT NULL,
                    roles text[] NOT NULL DEFAULT ARRAY['customer'],
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE signing_keys (
                    kid text PRIMARY KEY,
                    public_jwk jsonb NOT NULL,
                    private_key_pem text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    retired_at timestamptz
                )
                """,
            ]
        ),
        Migration(
            version: 2,
            name: "refresh tokens, configured keys and the outbox",
            statements: [
                // A key that comes from configuration is published here but its private half stays out of the database.
                "ALTER TABLE signing_keys ALTER COLUMN private_key_pem DROP NOT NULL",
                """
                CREATE TABLE refresh_tokens (
                    token_hash bytea PRIMARY KEY,
                    family_id uuid NOT NULL,
                    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    issued_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL,
                    spent_at timestamptz,
                    revoked_at timestamptz
                )
                """,
                "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)",
                """
                CREATE TABLE outbox (
                    id uuid PRIMARY KEY,
                    type text NOT NULL,
                    subject text NOT NULL,
                    payload jsonb NOT NULL,
                    occurred_at timestamptz NOT NULL DEFAULT now(),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    sent_at timestamptz
                )
                """,
                "CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL",
                // Accounts created before the outbox existed still get their profile.
                """
                INSERT INTO outbox (id, type, subject, payload, occurred_at)
                SELECT gen_random_uuid(), 'user.registered', id::text,
                       jsonb_build_object('userId', id, 'email', email, 'name', name,
                                          'registeredAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                       created_at
                FROM accounts
                """,
            ]
        ),
        Migration(
            version: 3,
            name: "outbox envelope fields",
            statements: [
                "ALTER TABLE outbox ADD COLUMN version integer NOT NULL DEFAULT 1",
                "ALTER TABLE outbox ADD COLUMN correlation_id text",
                "ALTER TABLE outbox ADD COLUMN traceparent text",
                "ALTER TABLE outbox ALTER COLUMN occurred_at SET DEFAULT clock_timestamp()",
            ]
        ),
        Migration(
            version: 4,
            name: "outbox order per subject, purging sent events and expired refresh tokens",
            statements: OutboxRelay.orderingIndexDefinitions + ["CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at)"]
        ),
    ]
}
