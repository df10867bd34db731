/// A payment card number (PAN) that passed the format and Luhn checks: 12 to 19 ASCII digits.
///
/// The digits are reachable only through ``digits``; printing, interpolating or dumping a
/// card number shows its brand and last four digits, so it cannot leak into a log by accident.
struct CardNumber: Sendable, Hashable {
    /// The digits, without spaces or dashes.
    let digits: String

    /// Why a typed card number was refused.
    enum Problem: Error, Sendable, Equatable {
        /// Something other than digits, spaces and dashes.
        case invalidCharacters
        /// Fewer than 12 or more than 19 digits.
        case wrongLength
        /// The Luhn check digit does not match.
        case failsChecksum
    }

    static let lengths = 12...19

    /// Parses what a person typed: spaces and dashes are ignored.
    static func parse(_ text: String) -> Result<CardNumber, Problem> {
        var digits: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "-"): continue
            default: return .failure(.invalidCharacters)
            }
        }
        guard Self.lengths.contains(digits.count) else { return .failure(.wrongLength) }
        guard Self.passesLuhn(digits) else { return .failure(.failsChecksum) }
        return .success(CardNumber(validated: String(decoding: digits, as: UTF8.self)))
    }

    /// A number read back from storage (it was checked when it was saved); `nil` if it is not
    /// a valid card number.
    init?(_ text: String) {
        guard case .success(let number) = Self.parse(text) else { return nil }
        self = number
    }

    private init(validated digits: String) {
        self.digits = digits
    }

    /// Luhn (mod 10): doubling every second digit from the right, the sum ends in 0.
    static func passesLuhn(_ asciiDigits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, byte) in asciiDigits.reversed().enumerated() {
            let digit = Int(byte) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { return false }
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return !asciiDigits.isEmpty && sum % 10 == 0
    }

    /// The network, from the leading digits.
    var brand: CardBrand { CardBrand(digits: self.digits) }

    /// The last four digits, the only part ever shown.
    var last4: String { String(self.digits.suffix(4)) }
}

extension CardNumber: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String { "\(self.brand.rawValue) ending \(self.last4)" }
    var debugDescription: String { "CardNumber(\(self.description))" }
    var customMirror: Mirror { Mirror(self, children: ["last4": self.last4], displayStyle: .struct) }
}
