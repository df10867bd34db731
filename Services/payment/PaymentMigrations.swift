import ServiceKit

/// The payment database's schema.
enum PaymentMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "methods and payments",
            statements: [
                """
                CREATE TABLE payment_methods (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL,
                    brand text NOT NULL,
                    last4 text NOT NULL,
                    exp_month integer NOT NULL,
                    exp_year integer NOT NULL,
                    card_ciphertext bytea NOT NULL,
                    key_id text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE payments (
                    id uuid PRIMARY KEY,
                    order_id uuid NOT NULL UNIQUE,
                    user_id uuid NOT NULL,
                    amount bigint NOT NULL CHECK (amount >= 0),
                    currency text NOT NULL,
                    status text NOT NULL CHECK (status IN ('authorized', 'captured', 'voided', 'refunded', 'declined')),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
            ]
        )
    ]
}
