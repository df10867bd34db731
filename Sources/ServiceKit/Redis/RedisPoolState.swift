/// The bookkeeping of ``RedisClient``'s pool, kept in a `Mutex`: which slot holds which connection and how many
/// commands each slot is serving. Pure state, no I/O: every method runs under the lock and returns at once.
struct RedisPoolState: Sendable {
    enum Slot: Sendable {
        case empty
        case connecting(id: Int, task: Task<RedisConnection, any Error>)
        case ready(RedisConnection)
    }

    enum Lease: Sendable {
        case ready(slot: Int, connection: RedisConnection)
        case connecting(slot: Int, task: Task<RedisConnection, any Error>)
    }

    private var slots: [Slot]
    /// Commands being served (or waiting for the connection to open) per slot.
    private var inFlight: [Int]
    private var nextConnectionID = 0
    private var isShutDown = false

    init(size: Int) {
        self.slots = Array(repeating: .empty, count: size)
        self.inFlight = Array(repeating: 0, count: size)
    }

    /// Picks a connection: an idle open one if any, else a new one in a free slot, else the least busy.
    /// `connect` starts opening a connection for a slot. The caller must `release` the slot when done.
    mutating func lease(connect: (_ slot: Int, _ id: Int) -> Task<RedisConnection, any Error>) throws -> Lease {
        guard !self.isShutDown else { throw RedisClientError.shutDown }
        var leastBusy: Int?
        var free: Int?
        for slot in self.slots.indices {
            switch self.slots[slot] {
            case .ready(let connection) where !connection.isActive:
                // Broken; its close callback may not have run yet.
                self.slots[slot] = .empty
                free = free ?? slot
            case .empty:
                free = free ?? slot
            case .ready, .connecting:
                if leastBusy.map({ self.inFlight[slot] < self.inFlight[$0] }) ?? true {
                    leastBusy = slot
                }
            }
        }
        let chosen: Int
        if let leastBusy, self.inFlight[leastBusy] == 0 || free == nil {
            chosen = leastBusy
        } else if let free {
            self.nextConnectionID += 1
            self.slots[free] = .connecting(id: self.nextConnectionID, task: connect(free, self.nextConnectionID))
            chosen = free
        } else {
            // Unreachable: a pool has at least one slot, which is either free or a candidate.
            throw RedisClientError.shutDown
        }
        self.inFlight[chosen] += 1
        switch self.slots[chosen] {
        case .ready(let connection):
            return .ready(slot: chosen, connection: connection)
        case .connecting(_, let task):
            return .connecting(slot: chosen, task: task)
        case .empty:
            self.inFlight[chosen] -= 1
            throw RedisClientError.shutDown  // Unreachable: the chosen slot was just filled or was a candidate.
        }
    }

    mutating func release(slot: Int) {
        self.inFlight[slot] = max(0, self.inFlight[slot] - 1)
    }

    /// Records an opened connection. Returns `false` if the pool no longer wants it (shut down meanwhile).
    mutating func connected(slot: Int, connection: RedisConnection) -> Bool {
        guard !self.isShutDown, case .connecting(let id, _) = self.slots[slot], id == connection.id else { return false }
        self.slots[slot] = .ready(connection)
        return true
    }

    mutating func connectFailed(slot: Int, id: Int) {
        if case .connecting(let current, _) = self.slots[slot], current == id {
            self.slots[slot] = .empty
        }
    }

    /// Frees the slot of a connection that has closed, so that the next command opens a new one.
    mutating func closed(slot: Int, connection: RedisConnection) {
        if case .ready(let current) = self.slots[slot], current === connection {
            self.slots[slot] = .empty
        }
    }

    /// Marks the pool shut down and hands back what must be closed or awaited.
    mutating func shutDown() -> (connections: [RedisConnection], connecting: [Task<RedisConnection, any Error>]) {
        self.isShutDown = true
        var connections: [RedisConnection] = []
        var connecting: [Task<RedisConnection, any Error>] = []
        for slot in self.slots {
            switch slot {
            case .ready(let connection): connections.append(connection)
            case .connecting(_, let task): connecting.append(task)
            case .empty: break
            }
        }
        self.slots = Array(repeating: .empty, count: self.slots.count)
        return (connections, connecting)
    }
}
