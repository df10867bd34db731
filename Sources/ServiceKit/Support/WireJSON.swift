import Contracts
import Foundation

/// The JSON coding every service uses on the wire and in stored documents: ISO 8601 dates,
/// sorted keys; the same as events use (``EventCoding``), so a payload reads the same wherever
/// it travels.
public enum WireJSON {
    public static func encoder() -> JSONEncoder { EventCoding.encoder() }

    public static func decoder() -> JSONDecoder { EventCoding.decoder() }
}
