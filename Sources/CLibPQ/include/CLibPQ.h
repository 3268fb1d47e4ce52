// libpq, loaded with dlopen on the first PostgreSQL URL instead of linked: libpq
// brings some twenty libraries of its own (Kerberos, LDAP, SASL, GnuTLS, …), and a
// daemon on the SQLite default should neither load nor map them at every start.
// libpq-fe.h gives the types; each `authd_PQ…` calls the libpq function of that name
// once `authd_libpq_load` has succeeded (the Swift side checks first). The functions
// are defined once, in libpq.c: inline ones would each carry their own table into
// every module that Swift's cross-module optimization inlines them into.
#ifndef AUTHD_CLIBPQ_H
#define AUTHD_CLIBPQ_H
#include <postgresql/libpq-fe.h>

/// Loads libpq.so.5: NULL, or dlerror()'s text. Call once, before any function below.
const char *authd_libpq_load(void);
PGconn *authd_PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname);
void authd_PQfinish(PGconn *conn);
PQconninfoOption *authd_PQconninfoParse(const char *conninfo, char **errmsg);
void authd_PQconninfoFree(PQconninfoOption *options);
char *authd_PQdb(const PGconn *conn);
char *authd_PQhost(const PGconn *conn);
char *authd_PQport(const PGconn *conn);
ConnStatusType authd_PQstatus(const PGconn *conn);
char *authd_PQerrorMessage(const PGconn *conn);
int authd_PQsocket(const PGconn *conn);
PGresult *authd_PQexec(PGconn *conn, const char *query);
PGresult *authd_PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat);
PGresult *authd_PQprepare(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes);
PGresult *authd_PQexecPrepared(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat);
int authd_PQconsumeInput(PGconn *conn);
PGnotify *authd_PQnotifies(PGconn *conn);
ExecStatusType authd_PQresultStatus(const PGresult *res);
char *authd_PQresultErrorMessage(const PGresult *res);
char *authd_PQresultErrorField(const PGresult *res, int fieldcode);
int authd_PQntuples(const PGresult *res);
int authd_PQnfields(const PGresult *res);
char *authd_PQfname(const PGresult *res, int field);
Oid authd_PQftype(const PGresult *res, int field);
char *authd_PQgetvalue(const PGresult *res, int row, int field);
int authd_PQgetisnull(const PGresult *res, int row, int field);
void authd_PQclear(PGresult *res);
void authd_PQfreemem(void *ptr);
/// Drops the server's NOTICE messages instead of printing them to stderr.
void authd_PQhideNotices(PGconn *conn);

#endif
