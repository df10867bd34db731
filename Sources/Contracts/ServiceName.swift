/// The names of the services, as used in discovery, logs and events.
public enum ServiceName {
    public static let gateway = "api-gateway"
    public static let auth = "auth"
    public static let user = "user"
    public static let product = "product"
    public static let order = "order"
    public static let payment = "payment"
    public static let notification = "notification"
}
