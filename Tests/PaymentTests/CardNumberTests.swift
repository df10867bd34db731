import Testing

@testable import PaymentService

struct CardNumberTests {
    /// The API's test cards (API.md) and well-known test numbers of each brand.
    static let validNumbers = [
        "4242424242424242", "4000000000000002", "4000000000009995", "4000000000000119",
        "5555555555554444", "2223003122003222", "378282246310005", "6011111111111117", "4111111111111111",
    ]

    @Test(arguments: validNumbers)
    func validNumbersPassLuhn(_ number: String) throws {
        let card = try CardNumber.parse(number).get()
        #expect(card.digits == number)
    }

    @Test(arguments: ["4242424242424241", "4000000000000001", "5555555555554443", "378282246310006", "000000000001"])
    func aWrongCheckDigitFailsLuhn(_ number: String) {
        #expect(CardNumber.parse(number) == .failure(.failsChecksum))
    }

    @Test func spacesAndDashesAreIgnored() throws {
        #expect(try CardNumber.parse("4242 4242-4242 4242").get().digits == "4242424242424242")
        #expect(try CardNumber.parse(" 4242424242424242 ").get().digits == "4242424242424242")
    }

    @Test(arguments: ["4242a42424242424", "4242.4242.4242.4242", "４２４２４２４２４２４２４２４２", "4242424242424242\n", "+4242424242424242"])
    func anythingButDigitsSpacesAndDashesIsRefused(_ text: String) {
        #expect(CardNumber.parse(text) == .failure(.invalidCharacters))
    }

    @Test func lengthMustBeTwelveToNineteenDigits() {
        #expect(CardNumber.parse("") == .failure(.wrongLength))
        #expect(CardNumber.parse("42424242420") == .failure(.wrongLength))  // 11 digits
        #expect(CardNumber.parse("00000000000000000000") == .failure(.wrongLength))  // 20 digits
        #expect((try? CardNumber.parse("000000000000").get()) != nil)  // 12 zeros pass Luhn
        #expect((try? CardNumber.parse("0000000000000000000").get()) != nil)  // 19
    }

    @Test func lastFourDigits() throws {
        #expect(try CardNumber.parse("4000 0000 0000 9995").get().last4 == "9995")
    }

    @Test func printingACardNumberNeverShowsTheDigits() throws {
        let card = try CardNumber.parse("4242424242424242").get()
        var dumped = ""
        dump(card, to: &dumped)
        for text in ["\(card)", String(describing: card), String(reflecting: card), dumped] {
            #expect(!text.contains("42424242"))
            #expect(text.contains("4242"))
        }
    }

    @Test func aStoredNumberReadsBack() {
        #expect(CardNumber("4242424242424242")?.digits == "4242424242424242")
        #expect(CardNumber("not a card") == nil)
    }
}

struct CardBrandTests {
    @Test(arguments: [
        ("4242424242424242", CardBrand.visa),
        ("4000000000000002", .visa),
        ("5105105105105100", .mastercard),
        ("5555555555554444", .mastercard),
        ("2221000000000009", .mastercard),
        ("2720990000000000", .mastercard),
        ("2220990000000000", .unknown),
        ("2721000000000000", .unknown),
        ("5000000000000000", .unknown),
        ("5600000000000000", .unknown),
        ("340000000000000", .amex),
        ("378282246310005", .amex),
        ("350000000000000", .unknown),
        ("6011111111111117", .discover),
        ("6500000000000000", .discover),
        ("6012000000000000", .unknown),
        ("3530111333300000", .unknown),
        ("", .unknown),
    ])
    func brandFromLeadingDigits(_ digits: String, _ brand: CardBrand) {
        #expect(CardBrand(digits: digits) == brand)
    }
}
