import Foundation
import ServiceKit
import Testing

/// scrypt hashes: round trip, salting, malformed input.
struct PasswordHasherTests {
    private let hasher = PasswordHasher(costExponent: 10)

    @Test func aHashVerifiesItsPassword() async throws {
        let stored = try await self.hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("scrypt$10$8$1$"))
        #expect(stored.split(separator: "$").count == 6)
        #expect(!stored.contains("correct horse"))
        #expect(try await self.hasher.verify("correct horse battery staple", against: stored))
    }

    @Test(arguments: ["correct horse battery stapl", "Correct horse battery staple", "", "correct horse battery staple "])
    func anotherPasswordDoesNotVerify(wrong: String) async throws {
        let stored = try await self.hasher.hash("correct horse battery staple")
        #expect(try await !self.hasher.verify(wrong, against: stored))
    }

    @Test func unicodeAndEmptyPasswordsRoundTrip() async throws {
        for password in ["pässwörd 🔑", ""] {
            let stored = try await self.hasher.hash(password)
            #expect(try await self.hasher.verify(password, against: stored))
        }
    }

    @Test func twoHashesOfOnePasswordDiffer() async throws {
        let first = try await self.hasher.hash("same password")
        let second = try await self.hasher.hash("same password")
        #expect(first != second)
        #expect(try await self.hasher.verify("same password", against: first))
        #expect(try await self.hasher.verify("same password", against: second))
    }

    @Test func theStoredParametersAreUsedToVerify() async throws {
        let stored = try await PasswordHasher(costExponent: 11, blockSize: 4, parallelism: 2).hash("pw")
        #expect(stored.hasPrefix("scrypt$11$4$2$"))
        // A hasher configured differently still verifies old hashes with their own parameters.
        #expect(try await self.hasher.verify("pw", against: stored))
    }

    @Test func aMalformedStoredHashNeverMatches() async throws {
        let stored = try await self.hasher.hash("pw")
        let parts = stored.split(separator: "$").map(String.init)
        var malformed = [
            "",
            "pw",
            "scrypt",
            "bcrypt$" + parts.dropFirst().joined(separator: "$"),
            parts.dropLast().joined(separator: "$"),
            stored + "$extra",
            "scrypt$10$8$1$!!!$" + parts[5],
            "scrypt$10$8$1$" + parts[4] + "$!!!",
            "scrypt$ten$8$1$" + parts[4] + "$" + parts[5],
        ]
        // Out-of-range parameters are refused before any work is done.
        for (index, value) in [(1, "9"), (1, "21"), (1, "64"), (2, "0"), (2, "33"), (3, "0"), (3, "17")] {
            var changed = parts
            changed[index] = value
            malformed.append(changed.joined(separator: "$"))
        }
        // A truncated or extended hash must not match either.
        let hash = try #require(Data(base64Encoded: parts[5]))
        for altered in [hash.dropLast(), hash + Data([0])] {
            var changed = parts
            changed[5] = Data(altered).base64EncodedString()
            malformed.append(changed.joined(separator: "$"))
        }
        for value in malformed {
            #expect(try await !self.hasher.verify("pw", against: value), "\(value) matched")
        }
    }

    @Test func aFlippedHashBitDoesNotMatch() async throws {
        let stored = try await self.hasher.hash("pw")
        var parts = stored.split(separator: "$").map(String.init)
        var hash = [UInt8](try #require(Data(base64Encoded: parts[5])))
        hash[hash.count - 1] ^= 1
        parts[5] = Data(hash).base64EncodedString()
        #expect(try await !self.hasher.verify("pw", against: parts.joined(separator: "$")))
    }
}
