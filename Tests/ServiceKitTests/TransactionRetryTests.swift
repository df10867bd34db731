import Logging
import PostgresNIO
import ServiceKit
import Synchronization
import Testing

/// ``Database/transaction(attempts:logger:_:)`` against a real Postgres (`PG_TEST_URL`): a
/// transaction the server aborts as a deadlock victim runs again instead of failing its caller.
@Suite(.serialized)
struct TransactionRetryTests {
    private let logger = PostgresTestDatabase.logger

    @Test func aDeadlockVictimIsRunAgainAndBothTransactionsCommit() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await database.execute("DROP TABLE IF EXISTS tr_accounts")
            try await database.execute("CREATE TABLE tr_accounts (id integer PRIMARY KEY, balance integer NOT NULL)")
            try await database.execute("INSERT INTO tr_accounts VALUES (1, 100), (2, 100)")
            // Each transaction locks its first row, waits until the other holds its own, then
            // asks for the other's row: a deadlock, which Postgres breaks by aborting one.
            let firstHolds = Gate()
            let secondHolds = Gate()
            let runs = RunCounter()
            let logger = self.logger
            @Sendable func transfer(from: Int, to: Int, mine: Gate, theirs: Gate) async throws {
                try await database.transaction(logger: logger) { connection in
                    runs.count(from)
                    try await connection.query("UPDATE tr_accounts SET balance = balance - 10 WHERE id = \(from)", logger: logger)
                    mine.open()
                    await theirs.wait()
                    try await connection.query("UPDATE tr_accounts SET balance = balance + 10 WHERE id = \(to)", logger: logger)
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await transfer(from: 1, to: 2, mine: firstHolds, theirs: secondHolds) }
                group.addTask { try await transfer(from: 2, to: 1, mine: secondHolds, theirs: firstHolds) }
                try await group.waitForAll()
            }
            let attempts = runs.counts
            #expect(attempts.values.sorted() == [1, 2], "exactly one transaction was the victim and ran again: \(attempts)")
            let rows = try await database.client.query("SELECT id, balance FROM tr_accounts ORDER BY id", logger: logger)
            var balances: [Int] = []
            for try await (_, balance) in rows.decode((Int32, Int32).self) { balances.append(Int(balance)) }
            #expect(balances == [100, 100], "both transfers committed exactly once: \(balances)")
            try await database.execute("DROP TABLE tr_accounts")
        }
    }

    @Test func anErrorOfTheBodyIsNotRetried() async throws {
        struct Refused: Error {}
        try await PostgresTestDatabase.withDatabase { database in
            let runs = Mutex(0)
            await #expect(throws: Refused.self) {
                try await database.transaction(logger: self.logger) { _ in
                    runs.withLock { $0 += 1 }
                    throw Refused()
                }
            }
            #expect(runs.withLock { $0 } == 1)
        }
    }
}

/// Runs of each transaction, counted from concurrent tasks.
private final class RunCounter: Sendable {
    private let runs = Mutex<[Int: Int]>([:])

    func count(_ key: Int) { self.runs.withLock { $0[key, default: 0] += 1 } }

    var counts: [Int: Int] { self.runs.withLock { $0 } }
}
