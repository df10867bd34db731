import Contracts
import Foundation
import ServiceKit

/// The body of `POST /v1/products` as sent. Every field is optional here so that one 422 can
/// name all the missing and invalid ones; ``validated()`` turns it into a ``NewProduct``.
struct ProductDraft: Decodable, Sendable {
    var sku: String?
    var name: String?
    var description: String?
    var category: String?
    var price: PriceInput?
    var available: WholeNumber?

    /// The product to create, or a 422 naming every missing or invalid field. Name and
    /// description are trimmed; a missing description is empty and missing stock is 0.
    func validated() throws -> NewProduct {
        var validator = Validator()
        let name = self.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        let description = self.description?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let available = self.available ?? 0
        if let sku { ProductRules.check(sku: sku, &validator) } else { validator.check(false, "sku", "is required") }
        if let name { ProductRules.check(name: name, &validator) } else { validator.check(false, "name", "is required") }
        ProductRules.check(description: description, &validator)
        if let category { ProductRules.check(category: category, &validator) } else { validator.check(false, "category", "is required") }
        if let price { ProductRules.check(price: price, &validator) } else { validator.check(false, "price", "is required") }
        ProductRules.check(available: available, &validator)
        try validator.validate()
        guard let sku, let name, let category, let price = self.price?.money, let stock = available.value(in: ProductRules.stock) else {
            throw ProblemError.validation(validator.errors)
        }
        return NewProduct(sku: sku, name: name, description: description, category: category, price: price, available: stock)
    }
}

/// A validated catalog entry to insert.
struct NewProduct: Sendable, Equatable {
    var sku: String
    var name: String
    var description: String
    var category: String
    var price: Money
    var available: Int
}

/// `PATCH /v1/products/{id}`: absent fields stay as they are. Stock is not changed here but
/// through `PUT /v1/products/{id}/inventory`.
struct ProductChanges: Decodable, Sendable, Equatable {
    var sku: String?
    var name: String?
    var description: String?
    var category: String?
    var price: PriceInput?

    /// Trims what the admin typed in free-text fields.
    mutating func normalize() {
        self.name = self.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.description = self.description?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Per-field checks of the fields present; throws one 422 naming every invalid field.
    func validate() throws {
        var validator = Validator()
        if let sku { ProductRules.check(sku: sku, &validator) }
        if let name { ProductRules.check(name: name, &validator) }
        if let description { ProductRules.check(description: description, &validator) }
        if let category { ProductRules.check(category: category, &validator) }
        if let price { ProductRules.check(price: price, &validator) }
        try validator.validate()
    }
}

/// `PUT /v1/products/{id}/inventory`: a stock count, the units on hand from now on (units
/// in stock not yet sold, those held for pending orders included).
///
/// `onHand` names it; `available`, the field API.md gives this route, is accepted as the same
/// count. What can be ordered afterwards is the count minus the held units.
struct InventoryLevel: Decodable, Sendable, Equatable {
    var onHand: WholeNumber?
    var available: WholeNumber?

    init(onHand: WholeNumber? = nil, available: WholeNumber? = nil) {
        self.onHand = onHand
        self.available = available
    }

    /// The count, or a 422 naming the field.
    func validated() throws -> Int {
        var validator = Validator()
        switch (self.onHand, self.available) {
        case (let count?, nil):
            validator.check(count.value(in: ProductRules.stock) != nil, "onHand", ProductRules.stockMessage)
        case (nil, let count?):
            ProductRules.check(available: count, &validator)
        case (_?, _?):
            validator.check(false, "onHand", "give the stock count once, as onHand or as available, not both")
        case (nil, nil):
            validator.check(false, "onHand", "is required (the units on hand; available is accepted too)")
        }
        try validator.validate()
        guard let stock = (self.onHand ?? self.available)?.value(in: ProductRules.stock) else { throw ProblemError.validation(validator.errors) }
        return stock
    }
}
