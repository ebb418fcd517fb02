// The system's SQLite 3 for Swift, plus what SQLite exposes only as macros.
#ifndef ROSTER_CSQLITE_SHIM_H
#define ROSTER_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT: SQLite copies the bound bytes before the bind call returns.
static inline sqlite3_destructor_type roster_sqlite_transient(void) { return SQLITE_TRANSIENT; }
/// SQLITE_STATIC: the bound bytes stay valid until the statement is reset or rebound.
static inline sqlite3_destructor_type roster_sqlite_static(void) { return SQLITE_STATIC; }

#endif
