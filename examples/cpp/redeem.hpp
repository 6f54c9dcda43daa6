// A C++ game server's purchase handler: a player's client reports a purchase token, and
// the server grants the product exactly once, following the model every face of
// nowgg-payments tells:
//
//   1. verify_for_grant: paid, not consumed, this game's package and product;
//   2. record the grant in our own database under the purchase's orderId, a unique key
//      (an existing row means it was delivered already: answer from the record);
//   3. grant the product, in the same transaction as the record;
//   4. consume: both outcomes mean done; a retryable error leaves the order for a sweep.
//
// The record, not the consume, is the lock: a consume's answer can be lost, and then no
// one can tell whose consume took effect. The ledger here is SQLite.
//
// redeem.cpp runs it as a command; redeem_test.cpp tests it against an in-process sandbox.
#ifndef REDEEM_HPP
#define REDEEM_HPP

#include <sqlite3.h>

#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nowgg_payments.hpp"

namespace game {

/// What this game sells: the policy every purchase is checked against.
inline const nowgg::GrantPolicy POLICY{"<package_name>", {"11223343", "gems_500"}};

/// The game's own database: the grants (one row per orderId) and the players' items.
class Ledger {
public:
    explicit Ledger(const std::string &path) {
        sqlite3 *db = nullptr;
        const int rc = sqlite3_open(path.c_str(), &db);
        db_.reset(db);
        if (rc != SQLITE_OK) fail("open");
        exec("PRAGMA busy_timeout = 5000");
        exec("CREATE TABLE IF NOT EXISTS grants ("
             " order_id TEXT PRIMARY KEY, token TEXT NOT NULL, player TEXT NOT NULL,"
             " product_id TEXT NOT NULL, consumed INTEGER NOT NULL DEFAULT 0)");
        exec("CREATE TABLE IF NOT EXISTS items ("
             " player TEXT NOT NULL, product_id TEXT NOT NULL, quantity INTEGER NOT NULL,"
             " PRIMARY KEY (player, product_id))");
    }

    /// Steps 2 and 3 in one transaction: records the grant and delivers the product.
    /// False when the order was recorded before (delivered already): nothing changes.
    bool record_and_grant(const std::string &order_id, const std::string &token, const std::string &player,
                          const std::string &product_id) {
        exec("BEGIN IMMEDIATE");
        try {
            run("INSERT INTO grants (order_id, token, player, product_id) VALUES (?1, ?2, ?3, ?4)"
                " ON CONFLICT (order_id) DO NOTHING",
                {order_id, token, player, product_id});
            if (sqlite3_changes(db_.get()) == 0) {
                exec("ROLLBACK");
                return false;
            }
            run("INSERT INTO items (player, product_id, quantity) VALUES (?1, ?2, 1)"
                " ON CONFLICT (player, product_id) DO UPDATE SET quantity = quantity + 1",
                {player, product_id});
            exec("COMMIT");
            return true;
        } catch (...) {
            sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }

    void mark_consumed(const std::string &order_id) {
        run("UPDATE grants SET consumed = 1 WHERE order_id = ?1", {order_id});
    }

    /// The order recorded for a token, if any: how a replay is answered from the record.
    std::optional<std::string> order_of(const std::string &token) {
        const auto rows = query("SELECT order_id FROM grants WHERE token = ?1", {token});
        return rows.empty() ? std::nullopt : std::optional<std::string>(rows[0][0]);
    }

    /// How many of a product a player holds.
    int quantity(const std::string &player, const std::string &product_id) {
        const auto rows =
            query("SELECT quantity FROM items WHERE player = ?1 AND product_id = ?2", {player, product_id});
        return rows.empty() ? 0 : std::stoi(rows[0][0]);
    }

    /// Granted orders whose consume has not been confirmed: (order id, token).
    std::vector<std::vector<std::string>> unconsumed() {
        return query("SELECT order_id, token FROM grants WHERE consumed = 0 ORDER BY order_id", {});
    }

private:
    struct Close {
        void operator()(sqlite3 *db) const noexcept { sqlite3_close(db); }
    };
    struct Finalize {
        void operator()(sqlite3_stmt *s) const noexcept { sqlite3_finalize(s); }
    };
    using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

    [[noreturn]] void fail(const char *what) const {
        throw std::runtime_error(std::string("ledger ") + what + ": " + sqlite3_errmsg(db_.get()));
    }

    void exec(const char *sql) {
        if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
    }

    Statement prepare(const char *sql, const std::vector<std::string> &params) {
        sqlite3_stmt *raw = nullptr;
        if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) fail("prepare");
        Statement statement(raw);
        for (std::size_t i = 0; i < params.size(); i++) {
            if (sqlite3_bind_text(raw, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT) !=
                SQLITE_OK) {
                fail("bind");
            }
        }
        return statement;
    }

    void run(const char *sql, const std::vector<std::string> &params) {
        const Statement statement = prepare(sql, params);
        if (sqlite3_step(statement.get()) != SQLITE_DONE) fail("step");
    }

    std::vector<std::vector<std::string>> query(const char *sql, const std::vector<std::string> &params) {
        const Statement statement = prepare(sql, params);
        std::vector<std::vector<std::string>> rows;
        int rc;
        while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int column = 0; column < sqlite3_column_count(statement.get()); column++) {
                const unsigned char *text = sqlite3_column_text(statement.get(), column);
                row.emplace_back(text != nullptr ? reinterpret_cast<const char *>(text) : "");
            }
            rows.push_back(std::move(row));
        }
        if (rc != SQLITE_DONE) fail("query");
        return rows;
    }

    std::unique_ptr<sqlite3, Close> db_;
};

/// Step 4. True when the purchase is consumed; false when it must be tried again later.
inline bool consume(const nowgg::Client &client, Ledger &ledger, const std::string &order_id,
                    const std::string &token) {
    try {
        const nowgg::ConsumeOutcome outcome = client.consume_purchase(nowgg::ConsumeRequest{token});
        ledger.mark_consumed(order_id);
        std::cout << "consumed order " << order_id << " (" << nowgg::to_string(outcome) << ")\n";
        return true;
    } catch (const nowgg::Error &e) {
        if (!e.retryable()) throw;
        std::cout << "consume of order " << order_id << " pending (" << e.kind_name() << "): the sweep retries it\n";
        return false;
    }
}

/// The handler: what the game server answers a player who reports `token`.
inline void redeem(const nowgg::Client &client, Ledger &ledger, const std::string &player, const std::string &token) {
    std::optional<nowgg::Purchase> purchase;
    try {
        purchase.emplace(client.verify_for_grant(token, POLICY));  // 1.
    } catch (const nowgg::Error &e) {
        // A replay after the consume: answer from the record, if the grant is ours.
        const auto order = e.kind() == NOWGG_ALREADY_CONSUMED ? ledger.order_of(token) : std::nullopt;
        if (!order) throw;
        std::cout << "already delivered: order " << *order << "\n";
        return;
    }
    const std::string order_id = purchase->order_id().value_or("");
    const std::string product = purchase->product_id().value_or(purchase->seller_goods_id().value_or(""));
    if (order_id.empty()) throw std::runtime_error("the purchase has no orderId to record");
    if (ledger.record_and_grant(order_id, token, player, product)) {  // 2. and 3.
        std::cout << "granted " << product << " to " << player << " (order " << order_id << ")\n";
    } else {
        std::cout << "already delivered: order " << order_id << "\n";
    }
    consume(client, ledger, order_id, token);  // 4. (again, if an earlier one was lost)
}

/// The sweep (run it periodically): consumes every granted, unconsumed order.
inline void sweep(const nowgg::Client &client, Ledger &ledger) {
    int done = 0, left = 0;
    for (const auto &row : ledger.unconsumed()) (consume(client, ledger, row[0], row[1]) ? done : left)++;
    std::cout << "sweep: " << done << " consumed, " << left << " left\n";
}

}  // namespace game

#endif
