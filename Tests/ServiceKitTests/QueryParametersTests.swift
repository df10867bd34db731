import Hummingbird
import HummingbirdCore
import ServiceKit
import Testing

/// Query strings are read as forms: `+` is a space, `%XX` is UTF-8, in names and values.
struct QueryParametersTests {
    @Test(arguments: [
        ("q=blue+shirt", "blue shirt"),
        ("q=blue%20shirt", "blue shirt"),
        ("q=a%2Bb", "a+b"),
        ("q=caf%C3%A9+cr%C3%A8me", "café crème"),
        ("q=100%25", "100%"),
        ("q=100%", "100%"),
        ("q=%zz+x", "%zz x"),
        ("q=%FF", "%FF"),
        ("q=", ""),
        ("q", ""),
        ("q=a=b", "a=b"),
        ("other=1&q=first&q=second", "first"),
        ("&&q=x&", "x"),
        ("%71=encoded+name", "encoded name"),
        ("q+=not+q&q=yes", "yes"),
    ])
    func aValueIsDecodedAsAForm(query: String, expected: String) {
        #expect(QueryParameters(query: query)["q"] == expected)
    }

    @Test func absentNamesHaveNoValue() {
        #expect(QueryParameters(query: "")["q"] == nil)
        #expect(QueryParameters(query: "qq=1&Q=2")["q"] == nil)
    }

    @Test func everyValueOfARepeatedNameInOrder() {
        #expect(QueryParameters(query: "tag=a+b&x=1&tag=c").values(of: "tag") == ["a b", "c"])
    }

    @Test func theURIReadsItsRawQuery() {
        let uri = URI("/v1/products?q=blue+shirt&category=apparel&limit=2")
        #expect(uri.formQuery["q"] == "blue shirt")
        #expect(uri.formQuery["category"] == "apparel")
        #expect(URI("/v1/products").formQuery["q"] == nil)
    }

    @Test func pagingParametersAreFormDecodedToo() throws {
        var validator = Validator()
        let page = PageRequest(uri: URI("/v1/x?limit=+5&cursor=ab%2Dc"), validator: &validator)
        // "+5" is " 5": not an integer, so a field error rather than a silent default.
        #expect(validator.errors.map(\.field) == ["limit"])
        #expect(page.cursor == "ab-c")
    }
}
