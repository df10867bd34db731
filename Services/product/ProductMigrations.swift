import ServiceKit

/// The product database's schema, one migration per change.
enum ProductMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "catalog",
            statements: [
                """
                CREATE TABLE products (
                    id uuid PRIMARY KEY,
                    sku text NOT NULL UNIQUE,
                    name text NOT NULL,
                    description text NOT NULL DEFAULT '',
                    category text NOT NULL,
                    price_amount bigint NOT NULL CHECK (price_amount >= 0),
                    price_currency text NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),
                    available integer NOT NULL DEFAULT 0 CHECK (available >= 0),
                    archived_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX products_listed_by_sku ON products (sku) WHERE archived_at IS NULL",
                "CREATE INDEX products_listed_by_category ON products (category, sku) WHERE archived_at IS NULL",
            ]
        ),
        Migration(
            version: 2,
            name: "stock reservations",
            statements: [
                """
                CREATE TABLE reservations (
                    order_id uuid PRIMARY KEY,
                    status text NOT NULL CHECK (status IN ('reserved', 'committed', 'released', 'expired', 'rejected')),
                    unavailable uuid[] NOT NULL DEFAULT '{}',
                    expires_at timestamptz NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE reservation_lines (
                    order_id uuid NOT NULL REFERENCES reservations (order_id) ON DELETE CASCADE,
                    product_id uuid NOT NULL,
                    quantity integer NOT NULL CHECK (quantity > 0),
                    PRIMARY KEY (order_id, product_id)
                )
                """,
                // The expiry sweeper's scan: only holds that can still expire.
                "CREATE INDEX reservations_due ON reservations (expires_at) WHERE status = 'reserved'",
            ]
        ),
        Migration(
            version: 3,
            name: "outbox of catalog and inventory events",
            statements: [OutboxRelay.tableDefinition, OutboxRelay.indexDefinition]
        ),
        Migration(
            version: 4,
            name: "outbox order per subject and purging sent events",
            statements: OutboxRelay.orderingIndexDefinitions
        ),
        Migration(
            version: 5,
            name: "stock on hand and held kept apart",
            statements: [
                "ALTER TABLE products ADD COLUMN on_hand integer NOT NULL DEFAULT 0",
                "ALTER TABLE products ADD COLUMN held integer NOT NULL DEFAULT 0",
                // What open holds took out of `available` is held; on hand is both together.
                """
                UPDATE products SET held = open.quantity
                FROM (
                    SELECT line.product_id, sum(line.quantity) AS quantity
                    FROM reservation_lines line JOIN reservations hold ON hold.order_id = line.order_id
                    WHERE hold.status = 'reserved'
                    GROUP BY line.product_id
                ) AS open
                WHERE products.id = open.product_id
                """,
                "UPDATE products SET on_hand = available + held",
                "ALTER TABLE products DROP COLUMN available",
                "ALTER TABLE products ADD COLUMN available integer GENERATED ALWAYS AS (on_hand - held) STORED",
                "ALTER TABLE products ADD CONSTRAINT products_held_within_on_hand CHECK (held >= 0 AND held <= on_hand)",
            ]
        ),
    ]
}
