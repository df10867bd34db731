import Contracts

/// The documented maximums of auth's request fields, in Unicode code points (see
/// ``InputBounds``); the OpenAPI document's `maxLength`s.
enum CredentialBounds {
    /// RFC 5321's longest path.
    static let email = UserRegistered.maximumEmailLength
    /// Long enough for any passphrase; short enough that hashing it costs what hashing costs.
    static let password = 128
    static let name = UserRegistered.maximumNameLength
    /// A refresh token is 43 characters; a longer one cannot be one.
    static let refreshToken = 128
}
