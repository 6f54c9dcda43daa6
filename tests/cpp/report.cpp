// ClientOptions::on_report: the CallReport view from blocking and *_async calls against
// the in-process sandbox (a verify retried after a 503, a consume reconciled after its
// answer was lost, a refused grant), the listener freed with the client, and a listener
// that throws leaving the call alone. Run under valgrind and ASan like the others.
//
// usage: cpp_report
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nowgg_payments.hpp"
#include "support/check.h"

namespace {

const std::string PAID = "-nowgg-sample-paid";

/// A report copied out of the callback (the view lives only during it).
struct Copy {
    std::string call, outcome, token_start;
    bool reconciled = false;
    std::vector<std::string> endpoints, errors, reasons;
    std::vector<std::optional<std::uint16_t>> statuses;
    std::vector<std::size_t> resends;
    std::optional<bool> first_reused;
    std::thread::id thread;
};

/// The reports heard, shared with the thread waiting for them.
struct Heard {
    std::mutex lock;
    std::condition_variable changed;
    std::vector<Copy> reports;

    void hear(const nowgg::CallReport &report) {
        Copy c;
        c.call = std::string(report.call());
        c.outcome = std::string(report.outcome());
        c.token_start = std::string(report.token_start());
        c.reconciled = report.reconciled();
        for (const auto &a : report.attempts()) {
            c.endpoints.emplace_back(a.endpoint);
            c.errors.emplace_back(a.error.value_or("-"));
            c.statuses.push_back(a.http_status);
            c.resends.push_back(a.resend_count);
            if (!c.first_reused) c.first_reused = a.reused_connection;
            CHECK(a.url.find("verifyPurchase") != std::string_view::npos ||
                  a.url.find("consumePurchase") != std::string_view::npos);
        }
        for (const auto &w : report.waits()) c.reasons.emplace_back(w.reason);
        CHECK(report.duration().count() > 0);
        CHECK(report.started() <= std::chrono::system_clock::now());
        c.thread = std::this_thread::get_id();
        std::lock_guard<std::mutex> guard(lock);
        reports.push_back(std::move(c));
        changed.notify_all();
    }

    /// The report numbered `n` (from 1), once heard.
    Copy nth(std::size_t n) {
        std::unique_lock<std::mutex> guard(lock);
        changed.wait(guard, [&] { return reports.size() >= n; });
        return reports[n - 1];
    }
};

void reports(const nowgg::testing::Sandbox &sb) {
    auto heard = std::make_shared<Heard>();
    {
        nowgg::ClientOptions options;
        options.on_report = [heard](const nowgg::CallReport &r) { heard->hear(r); };
        const nowgg::Client client = sb.client(std::move(options));
        sb.add_fault(R"({"action": "status", "status": 503, "match": "verify"})");
        CHECK(client.verify_purchase(PAID).is_paid());
        Copy r = heard->nth(1);
        CHECK(r.thread == std::this_thread::get_id());
        CHECK(r.call == "verify_purchase" && r.outcome == "ok" && !r.reconciled);
        CHECK(r.statuses.size() == 2 && r.statuses[0] == 503 && r.statuses[1] == 200);
        CHECK(r.errors.size() == 2 && r.errors[0] == "HTTP_STATUS" && r.errors[1] == "-");
        CHECK(r.resends.size() == 2 && r.resends[1] == 1);
        CHECK(r.reasons.size() == 1 && r.reasons[0] == "backoff");
        CHECK(r.first_reused == false);
        CHECK(r.token_start.size() > 3 && PAID.rfind(r.token_start.substr(0, 6), 0) == 0);
        CHECK(r.token_start.find(PAID) == std::string::npos);

        sb.add_fault(R"({"action": "drop_after", "match": "consume"})");
        CHECK(client.consume_purchase(nowgg::ConsumeRequest{PAID}) == nowgg::ConsumeOutcome::AlreadyConsumed);
        r = heard->nth(2);
        CHECK(r.call == "consume_purchase" && r.outcome == "already_consumed" && r.reconciled);
        CHECK((r.endpoints == std::vector<std::string>{"consume", "verify"}));

        try {
            client.verify_for_grant("-nowgg-sample-unpaid", nowgg::GrantPolicy{});
            CHECK(false);
        } catch (const nowgg::Error &e) {
            CHECK(e.kind() == NOWGG_NOT_PAID);
        }
        r = heard->nth(3);
        CHECK(r.call == "verify_for_grant" && r.outcome == "NOT_PAID");

        auto future = client.verify_purchase_async(PAID);
        CHECK(future.get().is_paid());
        // The report came before the future was fulfilled, on the library's thread.
        {
            std::lock_guard<std::mutex> guard(heard->lock);
            CHECK(heard->reports.size() == 4);
        }
        r = heard->nth(4);
        CHECK(r.thread != std::this_thread::get_id());
        CHECK(r.call == "verify_purchase" && r.outcome == "ok");
    }
    // The client is gone: the library freed its copy of the listener.
    CHECK(heard.use_count() == 1);
}

void a_throwing_listener_leaves_the_call_alone(const nowgg::testing::Sandbox &sb) {
    nowgg::ClientOptions options;
    options.on_report = [](const nowgg::CallReport &) { throw std::runtime_error("a listener's bug"); };
    const nowgg::Client client = sb.client(options);
    CHECK(!client.verify_purchase("-nowgg-sample-unpaid").is_paid());
    CHECK(!client.verify_purchase_async("-nowgg-sample-unpaid").get().is_paid());
}

}  // namespace

int main() {
    const nowgg::testing::Sandbox sb;
    reports(sb);
    a_throwing_listener_leaves_the_call_alone(sb);
    return checks_done("cpp_report");
}
