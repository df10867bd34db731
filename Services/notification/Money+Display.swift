import Contracts

extension Money {
    /// The amount as people read it, from minor units with the currency's number of decimals
    /// (ISO 4217): `1999 USD` is "19.99 USD", `1500 JPY` is "1,500 JPY", `12345 KWD` is "12.345 KWD".
    var displayText: String {
        let decimals = Self.decimals(of: self.currency)
        let magnitude = self.amount.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        let whole = Self.grouped(magnitude / divisor)
        var text = self.amount < 0 ? "-" + whole : whole
        if decimals > 0 {
            let fraction = String(magnitude % divisor)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return "\(text) \(self.currency)"
    }

    /// Minor-unit digits of a currency: 2 unless ISO 4217 says otherwise.
    static func decimals(of currency: String) -> Int {
        switch currency {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF": 0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND": 3
        default: 2
        }
    }

    /// Thousands separated by commas: 1234567 → "1,234,567".
    private static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }
}
