/// The words in which the databases' SQL differs (after vapor/sql-kit's `SQLDialect`).
/// The store core writes each statement once, through these; everything else it
/// writes is SQL both databases read alike (`ON CONFLICT … DO NOTHING`/`DO UPDATE`,
/// `RETURNING`, `COALESCE`, `EXISTS`). Values are bound typed, so no casts are needed.
public protocol SQLDialect: Sendable {
    /// The placeholder of the `position`-th bound value, from 1 (`?1`, `$1`).
    func placeholder(_ position: Int) -> String
    /// `column` equal to `value`, ignoring case, in the form its unique index serves.
    func equalsIgnoringCase(_ column: String, _ value: String) -> String
    /// The larger of two values (`MAX(a, b)`, `GREATEST(a, b)`).
    func greatest(_ a: String, _ b: String) -> String
    /// A timestamp column as whole seconds since the epoch.
    func epochSeconds(_ column: String) -> String
    /// Seconds since the epoch as a value for a timestamp column.
    func timestamp(epochSeconds value: String) -> String
    /// The clause that locks the rows a SELECT reads from `table` until the transaction
    /// ends (` FOR UPDATE OF t`); empty where a write transaction holds the database's lock.
    func forUpdate(of table: String) -> String
    /// Whether a statement may write in its `WITH` clauses (PostgreSQL's data-modifying
    /// CTEs), so that a few dependent writes take one round trip and one implicit transaction.
    var writesInWith: Bool { get }
    /// What follows an INSERT's column list so that it may set `id` itself.
    var keepingID: String { get }
    /// The id `value`, or the next one when it is NULL.
    func idOrNext(_ value: String) -> String
    /// Run in an import's transaction before rows keeping ids (the largest bound), so that
    /// later registrations get larger ids; nil where the database does so by itself.
    func moveIDSequence(past value: String) -> String?
}
