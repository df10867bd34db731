import Testing

/// Every test that needs the running stack lives in a suite nested in this one, so the seven
/// executables start once. Serialized: some tests kill and restart processes.
@Suite("Shop stack (real executables)", .serialized, .sharedStack)
struct ShopStackSuite {}
