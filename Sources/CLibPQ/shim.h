// libpq, loaded with dlopen on the first PostgreSQL URL instead of linked: libpq
// brings some twenty libraries of its own (Kerberos, LDAP, SASL, GnuTLS, …), and a
// daemon on the SQLite default should neither load nor map them at every start.
// The header gives the types; each `authd_PQ…` below calls the libpq function of
// that name once `authd_libpq_load` has succeeded (the Swift side checks first).
#include <postgresql/libpq-fe.h>
#include <dlfcn.h>
#include <stddef.h>

#define AUTHD_PQ_FUNCTIONS(X) \
    X(PQconnectdbParams) X(PQfinish) X(PQconninfoParse) X(PQconninfoFree) X(PQdb) X(PQhost) X(PQport) \
    X(PQstatus) X(PQerrorMessage) X(PQsocket) X(PQexec) X(PQexecParams) X(PQconsumeInput) X(PQnotifies) \
    X(PQresultStatus) X(PQresultErrorMessage) X(PQresultErrorField) X(PQntuples) X(PQnfields) X(PQfname) \
    X(PQgetvalue) X(PQgetisnull) X(PQclear) X(PQfreemem)

#define AUTHD_PQ_POINTER(name) typeof(name) *name;
typedef struct { AUTHD_PQ_FUNCTIONS(AUTHD_PQ_POINTER) } authd_libpq_functions;
#undef AUTHD_PQ_POINTER

// A function's static, not a file's: Swift's importer emits the functions it calls, and
// their statics with them, but not a header's own static variables.
static inline authd_libpq_functions *authd_libpq(void) {
    static authd_libpq_functions functions;
    return &functions;
}

/// Loads libpq.so.5: NULL, or dlerror()'s text. Call once, before any function below
/// (the Swift side keeps the outcome in a `static let`).
static inline const char *authd_libpq_load(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!library) return dlerror();
#define AUTHD_PQ_LOAD(name) if (!(authd_libpq()->name = (typeof(name) *)dlsym(library, #name))) return dlerror();
    AUTHD_PQ_FUNCTIONS(AUTHD_PQ_LOAD)
#undef AUTHD_PQ_LOAD
    return NULL;
}

static inline PGconn *authd_PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    return authd_libpq()->PQconnectdbParams(keywords, values, expand_dbname);
}
static inline void authd_PQfinish(PGconn *conn) { authd_libpq()->PQfinish(conn); }
static inline PQconninfoOption *authd_PQconninfoParse(const char *conninfo, char **errmsg) {
    return authd_libpq()->PQconninfoParse(conninfo, errmsg);
}
static inline void authd_PQconninfoFree(PQconninfoOption *options) { authd_libpq()->PQconninfoFree(options); }
static inline char *authd_PQdb(const PGconn *conn) { return authd_libpq()->PQdb(conn); }
static inline char *authd_PQhost(const PGconn *conn) { return authd_libpq()->PQhost(conn); }
static inline char *authd_PQport(const PGconn *conn) { return authd_libpq()->PQport(conn); }
static inline ConnStatusType authd_PQstatus(const PGconn *conn) { return authd_libpq()->PQstatus(conn); }
static inline char *authd_PQerrorMessage(const PGconn *conn) { return authd_libpq()->PQerrorMessage(conn); }
static inline int authd_PQsocket(const PGconn *conn) { return authd_libpq()->PQsocket(conn); }
static inline PGresult *authd_PQexec(PGconn *conn, const char *query) { return authd_libpq()->PQexec(conn, query); }
static inline PGresult *authd_PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                                           const char *const *paramValues, const int *paramLengths,
                                           const int *paramFormats, int resultFormat) {
    return authd_libpq()->PQexecParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat);
}
static inline int authd_PQconsumeInput(PGconn *conn) { return authd_libpq()->PQconsumeInput(conn); }
static inline PGnotify *authd_PQnotifies(PGconn *conn) { return authd_libpq()->PQnotifies(conn); }
static inline ExecStatusType authd_PQresultStatus(const PGresult *res) { return authd_libpq()->PQresultStatus(res); }
static inline char *authd_PQresultErrorMessage(const PGresult *res) { return authd_libpq()->PQresultErrorMessage(res); }
static inline char *authd_PQresultErrorField(const PGresult *res, int fieldcode) {
    return authd_libpq()->PQresultErrorField(res, fieldcode);
}
static inline int authd_PQntuples(const PGresult *res) { return authd_libpq()->PQntuples(res); }
static inline int authd_PQnfields(const PGresult *res) { return authd_libpq()->PQnfields(res); }
static inline char *authd_PQfname(const PGresult *res, int field) { return authd_libpq()->PQfname(res, field); }
static inline char *authd_PQgetvalue(const PGresult *res, int row, int field) { return authd_libpq()->PQgetvalue(res, row, field); }
static inline int authd_PQgetisnull(const PGresult *res, int row, int field) { return authd_libpq()->PQgetisnull(res, row, field); }
static inline void authd_PQclear(PGresult *res) { authd_libpq()->PQclear(res); }
static inline void authd_PQfreemem(void *ptr) { authd_libpq()->PQfreemem(ptr); }
