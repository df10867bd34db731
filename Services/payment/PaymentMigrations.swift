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
        ),
        Migration(
            version: 2,
            name: "card holder names and the methods listing",
            statements: [
                "ALTER TABLE payment_methods ADD COLUMN holder_name text CHECK (char_length(holder_name) <= 100)",
                "CREATE INDEX payment_methods_user_listing ON payment_methods (user_id, created_at, id)",
            ]
        ),
        Migration(
            version: 3,
            name: "authorizations, tombstones and the append-only ledger",
            statements: [
                "ALTER TABLE payments ADD COLUMN payment_method_id uuid",
                """
                ALTER TABLE payments ADD COLUMN decline_reason text
                    CHECK (decline_reason IN ('card_declined', 'insufficient_funds', 'invalid_payment_method', 'expired_card'))
                """,
                "ALTER TABLE payments ADD COLUMN authorized_amount bigint CHECK (authorized_amount > 0)",
                // A tombstone (an order cancelled before its authorization arrived) has no user.
                "ALTER TABLE payments ALTER COLUMN user_id DROP NOT NULL",
                """
                ALTER TABLE payments ADD CONSTRAINT payments_decline_reason_when_declined
                    CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
                """,
                """
                ALTER TABLE payments ADD CONSTRAINT payments_authorized_before_settled
                    CHECK (status NOT IN ('authorized', 'captured', 'refunded') OR authorized_amount IS NOT NULL)
                """,
                "CREATE INDEX payments_user_listing ON payments (user_id, created_at, id)",
                "CREATE INDEX payments_listing ON payments (created_at, id)",
                """
                CREATE TABLE payment_ledger (
                    id bigserial PRIMARY KEY,
                    payment_id uuid NOT NULL REFERENCES payments (id),
                    order_id uuid NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('authorize', 'decline', 'capture', 'void', 'refund')),
                    amount bigint NOT NULL CHECK (amount >= 0),
                    currency text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (payment_id, kind)
                )
                """,
                "CREATE INDEX payment_ledger_order ON payment_ledger (order_id)",
                """
                CREATE FUNCTION payment_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'payment_ledger is append-only: % refused', TG_OP;
                END
                $$
                """,
                """
                CREATE TRIGGER payment_ledger_append_only BEFORE UPDATE OR DELETE ON payment_ledger
                    FOR EACH ROW EXECUTE FUNCTION payment_ledger_refuse_change()
                """,
                """
                CREATE TRIGGER payment_ledger_no_truncate BEFORE TRUNCATE ON payment_ledger
                    FOR EACH STATEMENT EXECUTE FUNCTION payment_ledger_refuse_change()
                """,
            ]
        ),
        Migration(
            version: 4,
            name: "outbox of payment events",
            statements: [OutboxRelay.tableDefinition, OutboxRelay.indexDefinition]
        ),
        Migration(
            version: 5,
            name: "outbox order per subject and purging sent events",
            statements: OutboxRelay.orderingIndexDefinitions
        ),
    ]
}
