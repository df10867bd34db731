import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reads and writes `payment_methods`. The card number is sealed with AES-GCM
/// (``FieldCipher``, the key id inside the ciphertext); the cvc is never stored.
struct PaymentMethodRepository: Sendable {
    let database: Database
    let cipher: FieldCipher

    /// A saved card is unreadable: its ciphertext does not open to a card number.
    struct UnreadableCard: Error, CustomStringConvertible {
        var id: UUID
        var description: String { "the stored card of payment method \(self.id) is not a valid card number" }
    }

    /// Saves `card` as a new payment method of `userId`.
    func create(userId: UUID, card: CardDetails, logger: Logger) async throws -> PaymentMethod {
        let id = UUID()
        let sealed = try self.cipher.seal(Data(card.number.digits.utf8))
        let brand = card.number.brand
        let last4 = card.number.last4
        let rows = try await self.database.client.query(
            """
            INSERT INTO payment_methods (id, user_id, brand, last4, exp_month, exp_year, card_ciphertext, key_id, holder_name)
            VALUES (\(id), \(userId), \(brand.rawValue), \(last4), \(Int32(card.expiry.month)), \(Int32(card.expiry.year)),
                    \(sealed), \(self.cipher.activeKeyID), \(card.holderName))
            RETURNING created_at
            """,
            logger: logger
        )
        for try await createdAt in rows.decode(Date.self) {
            return PaymentMethod(
                id: id,
                brand: brand,
                last4: last4,
                expMonth: card.expiry.month,
                expYear: card.expiry.year,
                holderName: card.holderName,
                createdAt: createdAt
            )
        }
        throw MissingRow(expected: "the new payment method")
    }

    /// A page of `userId`'s payment methods, newest first.
    func list(userId: UUID, after cursor: ListCursor?, limit: Int, logger: Logger) async throws -> ListSlice<PaymentMethod> {
        let rows = try await self.database.client.query(
            """
            SELECT id, brand, last4, exp_month, exp_year, holder_name, created_at, (extract(epoch FROM created_at) * 1000000)::int8
            FROM payment_methods
            WHERE user_id = \(userId)
              AND (\(cursor?.createdAtMicros)::int8 IS NULL
                   OR (created_at, id) < ('epoch'::timestamptz + \(cursor?.createdAtMicros) * interval '1 microsecond', \(cursor?.id)))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit + 1)
            """,
            logger: logger
        )
        var page: [(item: PaymentMethod, position: ListCursor)] = []
        for try await (id, brand, last4, month, year, holderName, createdAt, micros) in rows.decode(
            (UUID, String, String, Int32, Int32, String?, Date, Int64).self
        ) {
            let method = PaymentMethod(
                id: id,
                brand: CardBrand(rawValue: brand) ?? .unknown,
                last4: last4,
                expMonth: Int(month),
                expYear: Int(year),
                holderName: holderName,
                createdAt: createdAt
            )
            page.append((method, ListCursor(createdAtMicros: micros, id: id)))
        }
        return ListSlice(page, limit: limit)
    }

    /// Whether payment method `id` is `userId`'s, and whether it has expired at `now`; `nil`
    /// when it does not exist or is someone else's.
    func check(id: UUID, userId: UUID, at now: Date, logger: Logger) async throws -> PaymentMethodCheck? {
        let rows = try await self.database.client.query(
            "SELECT exp_month, exp_year FROM payment_methods WHERE id = \(id) AND user_id = \(userId)",
            logger: logger
        )
        for try await (month, year) in rows.decode((Int32, Int32).self) {
            let expiry = CardExpiry(month: Int(month), year: Int(year))
            return PaymentMethodCheck(id: id, userId: userId, expired: expiry.isExpired(at: now))
        }
        return nil
    }

    /// Payment method `id` of `userId` with its number decrypted, for an authorization; `nil`
    /// when it does not exist or is someone else's.
    func savedCard(id: UUID, userId: UUID, logger: Logger) async throws -> SavedCard? {
        let rows = try await self.database.client.query(
            "SELECT card_ciphertext, exp_month, exp_year FROM payment_methods WHERE id = \(id) AND user_id = \(userId)",
            logger: logger
        )
        for try await (sealed, month, year) in rows.decode((Data, Int32, Int32).self) {
            let digits = String(decoding: try self.cipher.open(sealed), as: UTF8.self)
            guard let number = CardNumber(digits) else { throw UnreadableCard(id: id) }
            return SavedCard(id: id, userId: userId, number: number, expiry: CardExpiry(month: Int(month), year: Int(year)))
        }
        return nil
    }
}
