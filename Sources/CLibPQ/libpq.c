// The one definition of the libpq table and its wrappers (see include/CLibPQ.h).
#include "CLibPQ.h"
#include <dlfcn.h>
#include <stddef.h>

#define AUTHD_PQ_FUNCTIONS(X) \
    X(PQconnectdbParams) X(PQfinish) X(PQconninfoParse) X(PQconninfoFree) X(PQdb) X(PQhost) X(PQport) \
    X(PQstatus) X(PQerrorMessage) X(PQsocket) X(PQexec) X(PQexecParams) X(PQprepare) X(PQexecPrepared) X(PQconsumeInput) X(PQnotifies) \
    X(PQresultStatus) X(PQresultErrorMessage) X(PQresultErrorField) X(PQntuples) X(PQnfields) X(PQfname) \
    X(PQftype) X(PQgetvalue) X(PQgetisnull) X(PQclear) X(PQfreemem) X(PQsetNoticeProcessor)

#define AUTHD_PQ_POINTER(name) typeof(name) *name;
typedef struct { AUTHD_PQ_FUNCTIONS(AUTHD_PQ_POINTER) } authd_libpq_functions;
#undef AUTHD_PQ_POINTER

static authd_libpq_functions pq;

// Called once: the Swift side keeps the outcome in a `static let`.
const char *authd_libpq_load(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!library) return dlerror();
#define AUTHD_PQ_LOAD(name) if (!(pq.name = (typeof(name) *)dlsym(library, #name))) return dlerror();
    AUTHD_PQ_FUNCTIONS(AUTHD_PQ_LOAD)
#undef AUTHD_PQ_LOAD
    return NULL;
}

PGconn *authd_PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    return pq.PQconnectdbParams(keywords, values, expand_dbname);
}
void authd_PQfinish(PGconn *conn) { pq.PQfinish(conn); }
PQconninfoOption *authd_PQconninfoParse(const char *conninfo, char **errmsg) {
    return pq.PQconninfoParse(conninfo, errmsg);
}
void authd_PQconninfoFree(PQconninfoOption *options) { pq.PQconninfoFree(options); }
char *authd_PQdb(const PGconn *conn) { return pq.PQdb(conn); }
char *authd_PQhost(const PGconn *conn) { return pq.PQhost(conn); }
char *authd_PQport(const PGconn *conn) { return pq.PQport(conn); }
ConnStatusType authd_PQstatus(const PGconn *conn) { return pq.PQstatus(conn); }
char *authd_PQerrorMessage(const PGconn *conn) { return pq.PQerrorMessage(conn); }
int authd_PQsocket(const PGconn *conn) { return pq.PQsocket(conn); }
PGresult *authd_PQexec(PGconn *conn, const char *query) { return pq.PQexec(conn, query); }
PGresult *authd_PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                                           const char *const *paramValues, const int *paramLengths,
                                           const int *paramFormats, int resultFormat) {
    return pq.PQexecParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat);
}
PGresult *authd_PQprepare(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes) {
    return pq.PQprepare(conn, stmtName, query, nParams, paramTypes);
}
PGresult *authd_PQexecPrepared(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues,
                               const int *paramLengths, const int *paramFormats, int resultFormat) {
    return pq.PQexecPrepared(conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat);
}
int authd_PQconsumeInput(PGconn *conn) { return pq.PQconsumeInput(conn); }
PGnotify *authd_PQnotifies(PGconn *conn) { return pq.PQnotifies(conn); }
ExecStatusType authd_PQresultStatus(const PGresult *res) { return pq.PQresultStatus(res); }
char *authd_PQresultErrorMessage(const PGresult *res) { return pq.PQresultErrorMessage(res); }
char *authd_PQresultErrorField(const PGresult *res, int fieldcode) {
    return pq.PQresultErrorField(res, fieldcode);
}
int authd_PQntuples(const PGresult *res) { return pq.PQntuples(res); }
int authd_PQnfields(const PGresult *res) { return pq.PQnfields(res); }
char *authd_PQfname(const PGresult *res, int field) { return pq.PQfname(res, field); }
Oid authd_PQftype(const PGresult *res, int field) { return pq.PQftype(res, field); }
char *authd_PQgetvalue(const PGresult *res, int row, int field) { return pq.PQgetvalue(res, row, field); }
int authd_PQgetisnull(const PGresult *res, int row, int field) { return pq.PQgetisnull(res, row, field); }
void authd_PQclear(PGresult *res) { pq.PQclear(res); }
void authd_PQfreemem(void *ptr) { pq.PQfreemem(ptr); }

// The server's NOTICE lines ("relation already exists, skipping") are no news to an
// administrator; libpq would print each to stderr.
static void authd_ignore_notice(void *arg, const char *message) { (void)arg; (void)message; }
void authd_PQhideNotices(PGconn *conn) { pq.PQsetNoticeProcessor(conn, authd_ignore_notice, NULL); }
