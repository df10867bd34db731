import Contracts
import ServiceKit

// The documented maximums of catalog input, in Unicode code points (see ``InputBounds``); the
// OpenAPI document's `maxLength`s. The finer rules (``ProductRules``) run after these.

extension ProductDraft: BoundedInput {
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.sku, "sku", max: ProductRules.skuLength.upperBound)
        bounds.string(self.name, "name", max: ProductRules.nameLength.upperBound)
        bounds.string(self.description, "description", max: ProductRules.maximumDescriptionLength)
        bounds.string(self.category, "category", max: ProductRules.categoryLength.upperBound)
        bounds.nested(self.price, "price")
    }
}

extension ProductChanges: BoundedInput {
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.sku, "sku", max: ProductRules.skuLength.upperBound)
        bounds.string(self.name, "name", max: ProductRules.nameLength.upperBound)
        bounds.string(self.description, "description", max: ProductRules.maximumDescriptionLength)
        bounds.string(self.category, "category", max: ProductRules.categoryLength.upperBound)
        bounds.nested(self.price, "price")
    }
}

extension PriceInput: BoundedInput {
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.currency, "currency", max: Money.currencyCodeLength)
    }
}

extension InventoryLevel: BoundedInput {
    /// Two numbers: nothing to bound but their values, which ``validated()`` checks.
    func checkBounds(_ bounds: inout InputBounds) {}
}
