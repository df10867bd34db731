/// Random (version 4) UUIDs in their canonical lowercase form.
public enum UUIDv4 {
    /// A new random UUID string, lowercase: 122 bits from the system's secure generator,
    /// formatted without Foundation (request ids are made for every request).
    public static func string() -> String {
        var generator = SystemRandomNumberGenerator()
        // Version 4 in the high nibble of byte 6; variant 0b10 in the top bits of byte 8.
        let high = (generator.next() as UInt64) & ~0xF000 | 0x4000
        let low = (generator.next() as UInt64) & ~(0xC0 << 56) | (0x80 << 56)
        return Self.format(high: high, low: low)
    }

    /// The canonical `8-4-4-4-12` lowercase hex form of the 128 bits `high` (bytes 0–7) and
    /// `low` (bytes 8–15).
    static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            for index in 0..<32 {
                if index == 8 || index == 12 || index == 16 || index == 20 {
                    buffer[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = index < 16 ? high : low
                let shift = UInt64(60 - (index % 16) * 4)
                buffer[position] = digits.utf8Start[Int((word >> shift) & 0xF)]
                position += 1
            }
            return position
        }
    }
}
