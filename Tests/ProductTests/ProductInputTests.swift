import Contracts
import Foundation
import ServiceKit
import Testing

@testable import ProductService

struct ProductInputTests {
    private static let valid = ProductDraft(
        sku: "MUG-LOGO_01",
        name: "Bird Mug",
        description: "A mug.",
        category: "kitchen",
        price: PriceInput(amount: 1499, currency: "USD"),
        available: 10
    )

    /// The field names of the 422 that `body` throws, or `[]` when it does not throw one.
    private func invalidFields(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let error as ProblemError {
            #expect(error.status == .unprocessableContent)
            return error.fieldErrors.map(\.field)
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    private func fields(of draft: ProductDraft) -> [String] {
        self.invalidFields { _ = try draft.validated() }
    }

    @Test func aCompleteDraftIsValid() throws {
        let product = try Self.valid.validated()
        #expect(
            product
                == NewProduct(
                    sku: "MUG-LOGO_01",
                    name: "Bird Mug",
                    description: "A mug.",
                    category: "kitchen",
                    price: Money(amount: 1499, currency: "USD"),
                    available: 10
                )
        )
    }

    @Test func descriptionAndStockDefault() throws {
        var draft = Self.valid
        draft.description = nil
        draft.available = nil
        let product = try draft.validated()
        #expect(product.description == "")
        #expect(product.available == 0)
    }

    @Test func nameAndDescriptionAreTrimmed() throws {
        var draft = Self.valid
        draft.name = "  Bird Mug \n"
        draft.description = "\tA mug. "
        let product = try draft.validated()
        #expect(product.name == "Bird Mug")
        #expect(product.description == "A mug.")
    }

    @Test func everyMissingFieldIsNamed() {
        let draft = ProductDraft(sku: nil, name: nil, description: nil, category: nil, price: nil, available: nil)
        #expect(self.fields(of: draft) == ["sku", "name", "category", "price"])
    }

    @Test(arguments: ["", "has space", "ÄBC", "SKU.1", "a/b", String(repeating: "A", count: 65)])
    func invalidSKU(_ sku: String) {
        var draft = Self.valid
        draft.sku = sku
        #expect(self.fields(of: draft) == ["sku"])
    }

    @Test(arguments: ["A", "abc-XYZ_09", String(repeating: "Z", count: 64)])
    func validSKU(_ sku: String) {
        #expect(ProductRules.isSKU(sku))
    }

    @Test(arguments: ["", "   ", String(repeating: "n", count: 201)])
    func invalidName(_ name: String) {
        var draft = Self.valid
        draft.name = name
        #expect(self.fields(of: draft) == ["name"])
    }

    @Test func nameOf200CharactersIsValid() throws {
        var draft = Self.valid
        draft.name = String(repeating: "n", count: 200)
        _ = try draft.validated()
    }

    @Test func descriptionIsAtMost5000Characters() throws {
        var draft = Self.valid
        draft.description = String(repeating: "d", count: 5_000)
        _ = try draft.validated()
        draft.description = String(repeating: "d", count: 5_001)
        #expect(self.fields(of: draft) == ["description"])
    }

    @Test(arguments: ["", "Kitchen", "home office", "-home", "home-", "home--office", "café", String(repeating: "c", count: 65)])
    func invalidCategory(_ category: String) {
        var draft = Self.valid
        draft.category = category
        #expect(self.fields(of: draft) == ["category"])
    }

    @Test(arguments: ["books", "home-office", "a1", "3d-printing", String(repeating: "c", count: 64)])
    func validCategory(_ category: String) {
        #expect(ProductRules.isCategory(category))
    }

    @Test func negativePriceIsInvalid() {
        var draft = Self.valid
        draft.price = PriceInput(amount: -1, currency: "USD")
        #expect(self.fields(of: draft) == ["price.amount"])
        draft.price = PriceInput(amount: 0, currency: "USD")
        #expect(self.fields(of: draft) == [])
    }

    @Test func aPriceOfTenToTheTwelveIsTheMost() throws {
        var draft = Self.valid
        draft.price = PriceInput(amount: .integer(Money.maximumAmount), currency: "USD")
        #expect(try draft.validated().price.amount == 1_000_000_000_000)
        for amount: Int64 in [1_000_000_000_001, 9_000_000_000_000_000_000, Int64.max] {
            draft.price = PriceInput(amount: .integer(amount), currency: "USD")
            #expect(self.fields(of: draft) == ["price.amount"], "\(amount)")
            #expect(
                self.invalidFields { try ProductChanges(price: PriceInput(amount: .integer(amount), currency: "USD")).validate() } == ["price.amount"]
            )
        }
        try ProductChanges(price: PriceInput(amount: .integer(Money.maximumAmount), currency: "USD")).validate()
    }

    @Test func theIssuesPriceAsJSONIsAFieldError() throws {
        let body = #"{"price":{"amount":9000000000000000000,"currency":"USD"}}"#
        let changes = try JSONBody.decode(ProductChanges.self, from: Data(body.utf8))
        #expect(self.invalidFields { try changes.validate() } == ["price.amount"])
        let beyond64Bits = #"{"price":{"amount":90000000000000000000,"currency":"USD"}}"#
        let huge = try JSONBody.decode(ProductChanges.self, from: Data(beyond64Bits.utf8))
        #expect(self.invalidFields { try huge.validate() } == ["price.amount"])
    }

    @Test(arguments: ["usd", "US", "USDX", "U$D", ""])
    func invalidCurrency(_ currency: String) {
        var draft = Self.valid
        draft.price = PriceInput(amount: 100, currency: currency)
        #expect(self.fields(of: draft) == ["price.currency"])
    }

    @Test(arguments: [-1, 1_000_001])
    func stockOutOfRange(_ available: Int64) {
        var draft = Self.valid
        draft.available = .integer(available)
        #expect(self.fields(of: draft) == ["available"])
    }

    @Test(arguments: [0, 1_000_000])
    func stockAtTheLimits(_ available: Int64) throws {
        var draft = Self.valid
        draft.available = .integer(available)
        #expect(try draft.validated().available == Int(available))
    }

    @Test func changesCheckOnlyPresentFields() throws {
        try ProductChanges().validate()
        try ProductChanges(name: "New name").validate()
        let all = ProductChanges(
            sku: "bad sku",
            name: "",
            description: String(repeating: "d", count: 5_001),
            category: "Bad",
            price: PriceInput(amount: -5, currency: "usd")
        )
        #expect(self.invalidFields { try all.validate() } == ["sku", "name", "description", "category", "price.amount", "price.currency"])
    }

    @Test func changesAreTrimmed() {
        var changes = ProductChanges(name: " Mug ", description: " text\n")
        changes.normalize()
        #expect(changes.name == "Mug")
        #expect(changes.description == "text")
        var blank = ProductChanges(name: "   ")
        blank.normalize()
        #expect(self.invalidFields { try blank.validate() } == ["name"])
    }

    @Test func aStockCountIsOnHandOrAvailableButNotBoth() throws {
        #expect(try InventoryLevel(onHand: 0).validated() == 0)
        #expect(try InventoryLevel(onHand: 1_000_000).validated() == 1_000_000)
        #expect(self.invalidFields { _ = try InventoryLevel(onHand: -1).validated() } == ["onHand"])
        #expect(self.invalidFields { _ = try InventoryLevel(onHand: 1_000_001).validated() } == ["onHand"])
        #expect(self.invalidFields { _ = try InventoryLevel(onHand: 5, available: 5).validated() } == ["onHand"])
        #expect(self.invalidFields { _ = try InventoryLevel().validated() } == ["onHand"])
        let decoded = try JSONBody.decode(InventoryLevel.self, from: Data(#"{"onHand":7}"#.utf8))
        #expect(try decoded.validated() == 7)
    }

    @Test func inventoryLevelRange() throws {
        #expect(try InventoryLevel(available: 0).validated() == 0)
        #expect(try InventoryLevel(available: 1_000_000).validated() == 1_000_000)
        #expect(self.invalidFields { _ = try InventoryLevel(available: -1).validated() } == ["available"])
        #expect(self.invalidFields { _ = try InventoryLevel(available: 1_000_001).validated() } == ["available"])
        #expect(self.invalidFields { _ = try InventoryLevel(available: .notInteger).validated() } == ["available"])
    }

    @Test func fractionalNumbersAreFieldErrors() throws {
        let body = #"{"sku":"A1","name":"n","category":"c","price":{"amount":19.99,"currency":"USD"},"available":2.5}"#
        let draft = try JSONDecoder().decode(ProductDraft.self, from: Data(body.utf8))
        #expect(draft.price?.amount == .notInteger)
        #expect(draft.available == .notInteger)
        #expect(self.fields(of: draft) == ["price.amount", "available"])
    }

    @Test func wholeNumbersDecode() throws {
        let body = #"{"price":{"amount":1999,"currency":"USD"},"available":1e3}"#
        let changes = try JSONDecoder().decode(ProductDraft.self, from: Data(body.utf8))
        #expect(changes.price?.money == Money(amount: 1999, currency: "USD"))
        #expect(changes.available == .integer(1_000))
        let tooLarge = try JSONDecoder().decode(InventoryLevel.self, from: Data(#"{"available":1e30}"#.utf8))
        #expect(tooLarge.available == .notInteger)
    }

    @Test func nonNumbersStayTypeErrors() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(InventoryLevel.self, from: Data(#"{"available":"ten"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PriceInput.self, from: Data(#"{"currency":"USD"}"#.utf8)) }
    }
}
