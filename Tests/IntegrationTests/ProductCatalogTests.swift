import Foundation
import Testing

/// A catalog item as `GET /v1/products` shows it.
private struct Product: Decodable, Equatable {
    struct Money: Decodable, Equatable {
        let amount: Int
        let currency: String
    }

    let id: String
    let sku: String
    let name: String
    let description: String
    let category: String
    let price: Money
    let available: Int
}

private struct ProductPage: Decodable {
    let items: [Product]
    let nextCursor: String?
}

extension ShopStackSuite {
    @Suite("Product catalog")
    struct ProductCatalogTests {
        private func page(_ stack: Stack, _ query: String) async throws -> ProductPage {
            let response = try await stack.http.send(.GET, stack.url("/v1/products\(query)"))
            #expect(response.status == 200, "/v1/products\(query): \(response.text.prefix(500))")
            #expect(response.contentType?.lowercased().hasPrefix("application/json") == true)
            let object = try response.jsonObject()
            #expect(object.keys.contains("nextCursor"), "a page always has nextCursor (string or null)")
            return try response.decode(ProductPage.self)
        }

        @Test("GET /v1/products lists the demo catalog with well-formed items")
        func listsDemoCatalog() async throws {
            let stack = try Stack.require()
            let page = try await page(stack, "")
            #expect(page.items.count >= 3, "the demo catalog has several items, got \(page.items.count)")
            for item in page.items {
                #expect(UUID(uuidString: item.id) != nil, "id is a UUID: \(item.id)")
                #expect(!item.sku.isEmpty)
                #expect(!item.name.isEmpty)
                #expect(!item.category.isEmpty)
                #expect(item.price.amount >= 0, "price in minor units: \(item.price)")
                #expect(
                    item.price.currency.count == 3 && item.price.currency.allSatisfy { $0.isUppercase && $0.isASCII },
                    "ISO-4217 currency: \(item.price.currency)"
                )
                #expect(item.available >= 0)
            }
            #expect(Set(page.items.map(\.id)).count == page.items.count, "no duplicates")
            #expect(Set(page.items.map(\.sku)).count == page.items.count, "SKUs are unique")
        }

        @Test("?limit=2 pages through the whole catalog with nextCursor")
        func paginates() async throws {
            let stack = try Stack.require()
            let all = try await page(stack, "?limit=100")
            #expect(all.items.count > 2, "need more than 2 items to page")

            let first = try await page(stack, "?limit=2")
            #expect(first.items.count == 2)
            let cursor = try #require(first.nextCursor, "a full first page has a nextCursor")
            let second = try await page(stack, "?limit=2&cursor=\(queryEscaped(cursor))")
            #expect(!second.items.isEmpty)
            #expect(Set(first.items.map(\.id)).isDisjoint(with: second.items.map(\.id)), "the next page has different items")

            // Walk every page: each item exactly once, same set as one big page.
            var seen: [String] = []
            var next: String? = nil
            for _ in 0..<500 {
                let query = "?limit=2" + (next.map { "&cursor=\(queryEscaped($0))" } ?? "")
                let current = try await page(stack, query)
                #expect(current.items.count <= 2)
                seen += current.items.map(\.id)
                next = current.nextCursor
                if next == nil { break }
            }
            #expect(next == nil, "pagination ends")
            #expect(seen.count == Set(seen).count, "no item appears twice across pages")
            if all.nextCursor == nil {
                #expect(Set(seen) == Set(all.items.map(\.id)), "pages together hold the whole catalog")
            } else {
                #expect(Set(all.items.map(\.id)).isSubset(of: Set(seen)), "pages together hold the whole catalog")
            }
        }

        @Test("An invalid limit answers 422 naming limit", arguments: ["0", "101", "abc", "-1"])
        func rejectsInvalidLimit(limit: String) async throws {
            let stack = try Stack.require()
            let path = "/v1/products?limit=\(limit)"
            expectValidationProblem(try await stack.http.send(.GET, stack.url(path)), path: path, fields: ["limit"])
        }

        @Test("?limit=100 is allowed")
        func acceptsMaximumLimit() async throws {
            let stack = try Stack.require()
            let page = try await page(stack, "?limit=100")
            #expect(page.items.count <= 100)
        }

        @Test("GET /v1/products/{id} returns the listed item")
        func getsOneProduct() async throws {
            let stack = try Stack.require()
            let listed = try await page(stack, "?limit=5")
            #expect(!listed.items.isEmpty)
            for item in listed.items {
                let response = try await stack.http.send(.GET, stack.url("/v1/products/\(item.id)"))
                #expect(response.status == 200, "\(response.text)")
                #expect(try response.decode(Product.self) == item)
            }
        }

        @Test("GET /v1/products/{unknown id} answers 404 problem")
        func unknownProduct() async throws {
            let stack = try Stack.require()
            let path = "/v1/products/\(UUID().uuidString.lowercased())"
            expectProblem(try await stack.http.send(.GET, stack.url(path)), status: 404, path: path)
        }

        @Test("?category= keeps only that category")
        func filtersByCategory() async throws {
            let stack = try Stack.require()
            let all = try await page(stack, "?limit=100")
            let category = try #require(all.items.first?.category)
            let expected = Set(all.items.filter { $0.category == category }.map(\.id))

            let filtered = try await page(stack, "?limit=100&category=\(queryEscaped(category))")
            #expect(!filtered.items.isEmpty)
            #expect(filtered.items.allSatisfy { $0.category == category }, "only \(category): \(filtered.items.map(\.category))")
            if all.nextCursor == nil, filtered.nextCursor == nil {
                #expect(Set(filtered.items.map(\.id)) == expected, "every item of that category, and only those")
            }

            let none = try await page(stack, "?category=no-such-category-\(UUID().uuidString.lowercased())")
            #expect(none.items.isEmpty)
        }

        @Test("?q= searches case-insensitively")
        func searches() async throws {
            let stack = try Stack.require()
            let all = try await page(stack, "?limit=100")
            // A word of at least four letters from some product's name.
            let candidates = all.items.flatMap { item in
                item.name.split(whereSeparator: { !$0.isLetter }).map { (word: String($0), item: item) }
            }
            let (word, source) = try #require(candidates.first { $0.word.count >= 4 }, "a product name with a word")

            let upper = try await page(stack, "?limit=100&q=\(queryEscaped(word.uppercased()))")
            let lower = try await page(stack, "?limit=100&q=\(queryEscaped(word.lowercased()))")
            #expect(upper.items.contains(source), "searching '\(word.uppercased())' finds \(source.name)")
            #expect(Set(upper.items.map(\.id)) == Set(lower.items.map(\.id)), "case does not matter")
            #expect(lower.items.contains(source))
            for item in upper.items {
                let haystack = [item.name, item.description, item.sku, item.category].joined(separator: " ").lowercased()
                #expect(haystack.contains(word.lowercased()), "\(item.name) should match '\(word)'")
            }

            let none = try await page(stack, "?q=zzqx\(UUID().uuidString.prefix(8))")
            #expect(none.items.isEmpty)
        }

        @Test("?q= is read as a form: + is a space and %2B a plus sign (q=blue+shirt finds a blue shirt)")
        func searchesFormEncodedText() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let sku = "Q-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)
            let body = try canonicalJSON([
                "sku": sku, "name": "Blue Shirt C++ \(sku)", "category": "integration-tests",
                "price": ["amount": 1500, "currency": "USD"], "available": 1,
            ])
            let created = try await stack.http.send(.POST, stack.url("/v1/products"), json: body, headers: [bearer(admin.accessToken)])
            #expect(created.status == 201, "\(created.text.prefix(300))")
            let tag = sku.lowercased()

            for query in ["blue+shirt+c%2B%2B+\(tag)", "Blue%20Shirt+C%2b%2B%20\(tag)", "+shirt+c%2B%2B+\(tag)+"] {
                let found = try await page(stack, "?limit=100&q=\(query)")
                #expect(found.items.map(\.sku) == [sku], "q=\(query) finds the shirt: \(found.items.map(\.name))")
            }
            let literalPlus = try await page(stack, "?limit=100&q=blue%2Bshirt+\(tag)")
            #expect(literalPlus.items.isEmpty, "%2B is a plus sign, which the name does not have there")
        }
    }
}
