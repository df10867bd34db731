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
        )
    ]
}
