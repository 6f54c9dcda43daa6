/*
 * nowgg_payments.hpp: a header-only C++17 wrapper over nowgg_payments.h.
 *
 *     const nowgg::Client client(nowgg::ClientOptions{api_key});   // once, shared by all threads
 *     const nowgg::GrantPolicy policy{"com.example.game", {"gems_100", "gems_500"}};
 *
 *     // 1. Paid, not consumed, this game's package and product (else nowgg::Error).
 *     const nowgg::Purchase purchase = client.verify_for_grant(token, policy);
 *     // 2. Record the grant in your database under purchase.order_id(), a unique key. If
 *     //    the row already exists the purchase was delivered: answer "already delivered".
 *     // 3. Grant the product, in the same transaction as the record where you can.
 *     // 4. Consume: Consumed and AlreadyConsumed both mean done; a retryable error means
 *     //    try again later (a sweep over recorded, unconsumed orders).
 *     client.consume_purchase(nowgg::ConsumeRequest{token});
 *
 * The record, not the consume, is the lock: a consume's answer can be lost, and then no
 * one can tell whose consume took effect. examples/cpp/ is a whole handler with its
 * ledger in SQLite.
 *
 * Failures throw nowgg::Error (a std::runtime_error) carrying the kind, the API code, the
 * HTTP status and whether a retry may succeed. The *_async methods return a std::future
 * at once; the call runs on one of the library's own threads, and the future's get()
 * returns its value or throws its nowgg::Error. Client is a move-only RAII handle, and
 * Purchase shares the C purchase it reads from; every C object the wrapper makes is
 * freed on every path, exceptions included.
 *
 * Hand-written (the C header is generated), apart from Purchase's string accessors, which
 * ffi-c/tests/header.rs writes from the core's field table. Link with
 * nowgg_payments::nowgg_payments.
 */
#ifndef NOWGG_PAYMENTS_HPP
#define NOWGG_PAYMENTS_HPP

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nowgg_payments.h"

namespace nowgg {

/// A failed call. `what()` is the library's message (never the API key nor a whole
/// token); `kind()` is one of the `NOWGG_*` statuses, named by `kind_name()` as in every
/// face of the library ("INVALID_PURCHASE_TOKEN", "TIMEOUT", ...).
class Error : public std::runtime_error {
public:
    Error(nowgg_status kind, const std::string &message, std::optional<std::int64_t> api_code,
          std::optional<std::uint16_t> http_status, bool retryable)
        : std::runtime_error(message),
          kind_(kind),
          api_code_(api_code),
          http_status_(http_status),
          retryable_(retryable) {}

    /// The kind of failure, e.g. NOWGG_INVALID_PURCHASE_TOKEN.
    nowgg_status kind() const noexcept { return kind_; }

    /// The kind's name without the NOWGG_ prefix, e.g. "INVALID_PURCHASE_TOKEN".
    const char *kind_name() const noexcept {
        const char *name = nowgg_status_name(kind_);
        return name != nullptr ? name : "UNKNOWN";
    }

    /// The vendor's code, for errors that came in an API envelope (3901, 5014, ...).
    std::optional<std::int64_t> api_code() const noexcept { return api_code_; }

    /// The HTTP status of the response, when one arrived.
    std::optional<std::uint16_t> http_status() const noexcept { return http_status_; }

    /// Whether the same call may succeed if made again later.
    bool retryable() const noexcept { return retryable_; }

private:
    nowgg_status kind_;
    std::optional<std::int64_t> api_code_{};
    std::optional<std::uint16_t> http_status_{};
    bool retryable_;
};

/// How a consume ended: both values mean the purchase is consumed, done.
enum class ConsumeOutcome : std::uint32_t {
    /// This request consumed the purchase.
    Consumed = NOWGG_OUTCOME_CONSUMED,
    /// The purchase was consumed before this call, or this call's answer was lost and a
    /// verify shows it consumed.
    AlreadyConsumed = NOWGG_OUTCOME_ALREADY_CONSUMED,
};

/// The outcome as every face spells it: "consumed" or "already_consumed".
inline std::string to_string(ConsumeOutcome outcome) {
    const char *name = nowgg_consume_outcome_name(static_cast<std::uint32_t>(outcome));
    return name != nullptr ? name : "unknown";
}

/// A consume: the token, and for multi-store purchases the store ("xiaomi", "onestore")
/// and product id (required there), currency and developer payload.
struct ConsumeRequest {
    std::string token{};
    std::string store = "nowgg";
    std::optional<std::string> product_id{};
    std::optional<std::string> currency{};
    std::optional<std::string> developer_payload{};
};

/// What a purchase must be to be granted: paid and not consumed always; then this
/// package, one of these products (productId, else sellerGoodsId; any when empty), and
/// no test order unless allowed. A refusal throws Error with NOWGG_NOT_PAID,
/// NOWGG_ALREADY_CONSUMED, NOWGG_PACKAGE_MISMATCH, NOWGG_PRODUCT_MISMATCH or
/// NOWGG_TEST_ORDER.
struct GrantPolicy {
    std::optional<std::string> package_name{};
    std::vector<std::string> product_ids{};
    bool allow_test_orders = false;
};

/// What one call did, handed to ClientOptions::on_report: its attempts, the waits
/// between them and why, its outcome. A view of the library's report, valid only while
/// on_report runs, as are the string_views it returns: copy what you keep.
class CallReport {
public:
    /// One HTTP exchange.
    struct Attempt {
        /// "verify" or "consume".
        std::string_view endpoint;
        /// The URL posted to (it holds no secret).
        std::string_view url;
        /// When it started, from the call's start, and how long it took.
        std::chrono::microseconds offset, duration;
        /// The HTTP status and the envelope's API code (0 on success), when they came.
        std::optional<std::uint16_t> http_status;
        std::optional<std::int64_t> api_code;
        /// How it failed ("TIMEOUT", "HTTP_STATUS", ...), if it did.
        std::optional<std::string_view> error;
        /// A pooled connection (true) or a new one (false); unset when it failed first.
        std::optional<bool> reused_connection;
        /// Earlier attempts at the same endpoint (OpenTelemetry's http.request.resend_count).
        std::size_t resend_count;
    };

    /// A wait between two attempts.
    struct Wait {
        /// The attempt it followed.
        std::size_t after_attempt;
        std::chrono::microseconds duration;
        /// "backoff" or "retry_after" (the server's Retry-After).
        std::string_view reason;
    };

    explicit CallReport(const nowgg_call_report *report) noexcept : r_(report) {}

    /// "verify_purchase", "verify_for_grant" or "consume_purchase".
    std::string_view call() const noexcept { return text(nowgg_call_report_call(r_)); }
    /// The start of the purchase token, never the whole token.
    std::string_view token_start() const noexcept { return text(nowgg_call_report_token_start(r_)); }
    /// When the call was made (an *_async call: when it was queued).
    std::chrono::system_clock::time_point started() const noexcept {
        return std::chrono::system_clock::time_point(
            std::chrono::milliseconds(nowgg_call_report_started_unix_ms(r_)));
    }
    /// How long it took until its answer.
    std::chrono::microseconds duration() const noexcept {
        return std::chrono::microseconds(nowgg_call_report_duration_us(r_));
    }
    /// "ok", "consumed", "already_consumed", or the failure's kind ("NOT_PAID", ...).
    std::string_view outcome() const noexcept { return text(nowgg_call_report_outcome(r_)); }
    /// Whether a verify settled a consume whose answer was lost (or was 3800).
    bool reconciled() const noexcept { return nowgg_call_report_reconciled(r_); }

    /// The attempts, in order.
    std::vector<Attempt> attempts() const {
        std::vector<Attempt> out;
        for (std::size_t i = 0, n = nowgg_call_report_attempt_count(r_); i < n; i++) {
            Attempt a{};
            a.endpoint = text(nowgg_call_report_attempt_endpoint(r_, i));
            a.url = text(nowgg_call_report_attempt_url(r_, i));
            a.offset = std::chrono::microseconds(nowgg_call_report_attempt_offset_us(r_, i));
            a.duration = std::chrono::microseconds(nowgg_call_report_attempt_duration_us(r_, i));
            if (const std::uint16_t status = nowgg_call_report_attempt_http_status(r_, i)) a.http_status = status;
            std::int64_t code = 0;
            if (nowgg_call_report_attempt_api_code(r_, i, &code)) a.api_code = code;
            if (const char *error = nowgg_call_report_attempt_error(r_, i)) a.error = error;
            const std::int32_t reused = nowgg_call_report_attempt_reused_connection(r_, i);
            if (reused >= 0) a.reused_connection = reused == 1;
            a.resend_count = nowgg_call_report_attempt_resend_count(r_, i);
            out.push_back(a);
        }
        return out;
    }

    /// The waits between attempts, in order.
    std::vector<Wait> waits() const {
        std::vector<Wait> out;
        for (std::size_t i = 0, n = nowgg_call_report_wait_count(r_); i < n; i++) {
            out.push_back(Wait{nowgg_call_report_wait_after_attempt(r_, i),
                               std::chrono::microseconds(nowgg_call_report_wait_duration_us(r_, i)),
                               text(nowgg_call_report_wait_reason(r_, i))});
        }
        return out;
    }

private:
    static std::string_view text(const char *s) noexcept { return s != nullptr ? s : std::string_view(); }
    const nowgg_call_report *r_;
};

/// The options of a Client; unset ones keep the library's defaults (region global,
/// timeout 10 s, connect timeout 3 s, 2 retries, deadline 30 s, 512 async calls in
/// flight, 1 MiB response cap). The library checks every value when the client is built.
struct ClientOptions {
    std::string api_key{};
    /// "global" or "china"; ignored when base_url is set.
    std::optional<std::string> region{};
    /// https://..., or http:// to a loopback host only (the sandbox).
    std::optional<std::string> base_url{};
    /// Per attempt, connect included.
    std::optional<std::chrono::milliseconds> timeout{};
    std::optional<std::chrono::milliseconds> connect_timeout{};
    /// Retries of a verify after a retryable failure (a consume is never sent twice).
    std::optional<std::uint32_t> max_retries{};
    /// The bound on everything one call does: attempts, backoff, a consume's
    /// reconciliation. Past it, NOWGG_TIMEOUT.
    std::optional<std::chrono::milliseconds> deadline{};
    /// How many *_async calls run at once on the library's threads; more wait in order.
    std::optional<std::uint32_t> max_in_flight{};
    /// Appended to the User-Agent.
    std::optional<std::string> user_agent{};
    /// An HTTP(S) proxy, http://host:port (SOCKS is refused).
    std::optional<std::string> proxy{};
    /// Extra trusted root certificates, PEM.
    std::optional<std::string> ca_certs_pem{};
    std::optional<std::uint64_t> max_response_bytes{};
    /// Called with the report of every call, on the thread that finished it (an *_async
    /// call's: the library's, before its future is fulfilled), possibly on several
    /// threads at once; kept until the client and its in-flight calls are gone. It should
    /// return quickly; an exception it throws is dropped and leaves the call alone.
    std::function<void(const CallReport &)> on_report{};
};

namespace detail {

struct ConfigDeleter {
    void operator()(nowgg_config *config) const noexcept { nowgg_config_free(config); }
};
struct ClientDeleter {
    void operator()(const nowgg_client *client) const noexcept { nowgg_client_free(client); }
};
struct PolicyDeleter {
    void operator()(nowgg_grant_policy *policy) const noexcept { nowgg_grant_policy_free(policy); }
};
struct ErrorDeleter {
    void operator()(nowgg_error *error) const noexcept { nowgg_error_free(error); }
};

/// The exception for a failed call; takes the C error (which may be NULL) and frees it.
inline Error to_error(nowgg_status status, nowgg_error *raw) {
    std::unique_ptr<nowgg_error, ErrorDeleter> error(raw);
    std::optional<std::int64_t> api_code{};
    std::optional<std::uint16_t> http_status{};
    std::int64_t code = 0;
    std::uint16_t http = 0;
    if (nowgg_error_api_code(error.get(), &code)) api_code = code;
    if (nowgg_error_http_status(error.get(), &http)) http_status = http;
    const char *message = nowgg_error_message(error.get());
    return Error(status, message != nullptr ? message : "unknown error", api_code, http_status,
                 nowgg_error_is_retryable(error.get()));
}

/// Runs one fallible C call, `call(&err)`, and throws its error (freed on every path).
template <class Call>
void invoke(Call &&call) {
    nowgg_error *raw = nullptr;
    const nowgg_status status = call(&raw);
    if (status != NOWGG_OK) throw to_error(status, raw);
}

/// The report callback: the C side of ClientOptions::on_report.
using ReportListener = std::function<void(const CallReport &)>;
inline void hear_report(void *listener, const nowgg_call_report *report) noexcept {
    try {
        (*static_cast<const ReportListener *>(listener))(CallReport(report));
    } catch (...) {
        // The caller's exception must not unwind into the library; the call is unaffected.
    }
}
inline void free_report_listener(void *listener) noexcept { delete static_cast<ReportListener *>(listener); }

/// A NUL-terminated copy of an argument. C strings end at the first NUL, so an argument
/// holding one cannot be passed on faithfully: it is refused, never cut.
inline std::string c_arg(std::string_view value, const char *name) {
    if (value.find('\0') != std::string_view::npos) {
        throw Error(NOWGG_INVALID_ARGUMENT, std::string(name) + " contains a NUL character",
                    std::nullopt, std::nullopt, false);
    }
    return std::string(value);
}

/// An optional argument as C takes it (NULL when unset), copied and checked like c_arg.
inline std::optional<std::string> c_opt_arg(const std::optional<std::string> &value, const char *name) {
    return value ? std::optional<std::string>(c_arg(*value, name)) : std::nullopt;
}

inline const char *c_opt(const std::optional<std::string> &value) {
    return value ? value->c_str() : nullptr;
}

/// A string the library lent, copied; nullopt for NULL.
inline std::optional<std::string> text(const char *value) {
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
}

template <class Getter>
std::optional<std::int64_t> number(const nowgg_purchase *purchase, Getter getter) {
    std::int64_t value = 0;
    return getter(purchase, &value) ? std::optional<std::int64_t>(value) : std::nullopt;
}

/// A duration option as the C API takes it: a negative one becomes 0, which the library
/// refuses as INVALID_ARGUMENT.
inline std::uint64_t c_value(std::chrono::milliseconds duration) {
    return duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : 0;
}

template <class T>
T c_value(T value) {
    return value;
}

/// Applies a text option, when set, with its setter (`nowgg_config_set_*`,
/// `nowgg_grant_policy_*`).
template <class Object, class Setter>
void set_text(Object *object, const std::optional<std::string> &value, const char *name, Setter setter) {
    if (!value) return;
    const std::string text = c_arg(*value, name);
    invoke([&](nowgg_error **err) { return setter(object, text.c_str(), err); });
}

/// Applies a number or duration option, when set, with its `nowgg_config_set_*` function.
template <class T, class Setter>
void set_value(nowgg_config *config, const std::optional<T> &value, Setter setter) {
    if (!value) return;
    const auto number = c_value(*value);
    invoke([&](nowgg_error **err) { return setter(config, number, err); });
}

/// The C policy for a GrantPolicy, freed by its owner.
inline std::unique_ptr<nowgg_grant_policy, PolicyDeleter> c_policy(const GrantPolicy &policy) {
    nowgg_grant_policy *raw = nullptr;
    invoke([&](nowgg_error **err) { return nowgg_grant_policy_new(&raw, err); });
    std::unique_ptr<nowgg_grant_policy, PolicyDeleter> out(raw);
    set_text(out.get(), policy.package_name, "package_name", nowgg_grant_policy_set_package_name);
    for (const std::string &id : policy.product_ids) {
        set_text(out.get(), std::optional<std::string>(id), "product_id", nowgg_grant_policy_add_product_id);
    }
    invoke([&](nowgg_error **err) {
        return nowgg_grant_policy_allow_test_orders(out.get(), policy.allow_test_orders, err);
    });
    return out;
}

}  // namespace detail

/// A verified purchase. It owns the C purchase and reads each value from it when asked:
/// nothing is copied up front. Copies share the one C purchase (immutable, so copies may
/// be read from any threads at once). Every field may be absent (std::nullopt).
class Purchase {
public:
    /// Takes ownership of a purchase the C API handed out (not NULL).
    explicit Purchase(nowgg_purchase *owned) : handle_(owned, nowgg_purchase_free) {}

    // generated: accessors (by `cargo xtask codegen` from the core's field table; do not edit)
    /// The app's id (the same as its Payment ID). The vendor's `appId`.
    std::optional<std::string> app_id() const { return detail::text(nowgg_purchase_app_id(get())); }
    /// The buyer's country at purchase time; some stores send null. The vendor's `countryCode`.
    std::optional<std::string> country_code() const { return detail::text(nowgg_purchase_country_code(get())); }
    /// The currency, e.g. `USD`. The vendor's `currency`.
    std::optional<std::string> currency() const { return detail::text(nowgg_purchase_currency(get())); }
    /// The string the game attached to the order. The vendor's `developerPayload`.
    std::optional<std::string> developer_payload() const { return detail::text(nowgg_purchase_developer_payload(get())); }
    /// `release` or `sandbox`. The vendor's `environment`.
    std::optional<std::string> environment() const { return detail::text(nowgg_purchase_environment(get())); }
    /// Always `nowgg#productPurchase` where sent. The vendor's `kind`.
    std::optional<std::string> kind() const { return detail::text(nowgg_purchase_kind(get())); }
    /// The amount, kept as text: money is never a float. The vendor's `orderAmount`.
    std::optional<std::string> order_amount() const { return detail::text(nowgg_purchase_order_amount(get())); }
    /// The unique transaction id: the key to record a grant under. The vendor's `orderId`.
    std::optional<std::string> order_id() const { return detail::text(nowgg_purchase_order_id(get())); }
    /// The app's package name. The vendor's `packageName`.
    std::optional<std::string> package_name() const { return detail::text(nowgg_purchase_package_name(get())); }
    /// `Paid` or `Unpaid`. The vendor's `payStatusTxt`.
    std::optional<std::string> pay_status_txt() const { return detail::text(nowgg_purchase_pay_status_txt(get())); }
    /// When the payment happened, as the vendor formats it. The vendor's `payTimeTxt`.
    std::optional<std::string> pay_time_txt() const { return detail::text(nowgg_purchase_pay_time_txt(get())); }
    /// The product bought (absent in No Code purchases: see `sellerGoodsId`). The vendor's
    /// `productId`.
    std::optional<std::string> product_id() const { return detail::text(nowgg_purchase_product_id(get())); }
    /// The product's name. The vendor's `productName`.
    std::optional<std::string> product_name() const { return detail::text(nowgg_purchase_product_name(get())); }
    /// The purchase time as sent: documented in seconds, sampled in milliseconds (the normalised
    /// value is `purchaseTimeMs`). The vendor's `purchaseTime`.
    std::optional<std::string> purchase_time() const { return detail::text(nowgg_purchase_purchase_time(get())); }
    /// Deprecated by the vendor in favour of `purchaseTime`. The vendor's `purchaseTimeMillis`.
    std::optional<std::string> purchase_time_millis() const { return detail::text(nowgg_purchase_purchase_time_millis(get())); }
    /// The purchase token. The vendor's `purchaseToken`.
    std::optional<std::string> purchase_token() const { return detail::text(nowgg_purchase_purchase_token(get())); }
    /// The ISO 3166-1 alpha-2 billing region. The vendor's `regionCode`.
    std::optional<std::string> region_code() const { return detail::text(nowgg_purchase_region_code(get())); }
    /// The product id as the seller set it up; No Code purchases carry only this. The vendor's
    /// `sellerGoodsId`.
    std::optional<std::string> seller_goods_id() const { return detail::text(nowgg_purchase_seller_goods_id(get())); }
    // /generated: accessors

    /// String field number `index` (0 to NOWGG_FIELD_COUNT - 1, named by
    /// nowgg_field_name), for code that treats every field alike.
    std::optional<std::string> field(std::uint32_t index) const {
        return detail::text(nowgg_purchase_field(get(), index));
    }
    /// 0 unpaid, 1 paid, 2 failed; other values kept as sent.
    std::optional<std::int64_t> purchase_state() const {
        return detail::number(get(), nowgg_purchase_purchase_state);
    }
    /// 0 not consumed, 1 consumed; other values kept as sent.
    std::optional<std::int64_t> consumption_state() const {
        return detail::number(get(), nowgg_purchase_consumption_state);
    }
    /// The purchase time in milliseconds since the Unix epoch, normalised.
    std::optional<std::int64_t> purchase_time_ms() const { return detail::number(get(), nowgg_purchase_time_ms); }
    /// Paid (purchaseState 1).
    bool is_paid() const noexcept { return nowgg_purchase_is_paid(get()); }
    /// Consumed (consumptionState 1).
    bool is_consumed() const noexcept { return nowgg_purchase_is_consumed(get()); }
    /// The vendor marks it as a test order.
    bool is_test_order() const noexcept { return nowgg_purchase_is_test_order(get()); }
    /// The whole `data` object as compact JSON, unknown fields included.
    std::string raw_json() const {
        const char *json = nowgg_purchase_raw_json(get());
        if (json == nullptr) {
            throw Error(NOWGG_INTERNAL, "internal error in nowgg-payments: no raw JSON", std::nullopt,
                        std::nullopt, false);
        }
        return json;
    }

    /// The grant check without I/O; throws Error with the refusal's kind.
    void check(const GrantPolicy &policy) const {
        const auto c = detail::c_policy(policy);
        detail::invoke([&](nowgg_error **err) { return nowgg_purchase_check(get(), c.get(), err); });
    }

    /// The C handle, for calls the wrapper does not cover; still owned by this Purchase.
    const nowgg_purchase *get() const noexcept { return handle_.get(); }

private:
    std::shared_ptr<nowgg_purchase> handle_;
};

namespace detail {

/// The callback of the purchase calls: fulfils the promise passed as user_data and
/// deletes it. Never throws: an exception must not cross the C library's frames.
inline void purchase_done(void *user_data, nowgg_status status, nowgg_purchase *purchase,
                          nowgg_error *error) noexcept {
    std::unique_ptr<std::promise<Purchase>> promise(static_cast<std::promise<Purchase> *>(user_data));
    try {
        if (status == NOWGG_OK) {
            promise->set_value(Purchase(purchase));
        } else {
            promise->set_exception(std::make_exception_ptr(to_error(status, error)));
        }
    } catch (...) {
        // Only allocation can fail here; the future then reports a broken promise.
    }
}

/// The callback of the consume call, likewise.
inline void consume_done(void *user_data, nowgg_status status, const nowgg_consume_outcome *outcome,
                         nowgg_error *error) noexcept {
    std::unique_ptr<std::promise<ConsumeOutcome>> promise(static_cast<std::promise<ConsumeOutcome> *>(user_data));
    try {
        if (status == NOWGG_OK && outcome != nullptr) {
            promise->set_value(static_cast<ConsumeOutcome>(*outcome));
        } else {
            promise->set_exception(std::make_exception_ptr(to_error(status, error)));
        }
    } catch (...) {
        // As above.
    }
}

/// Starts an async C call, `start(user_data, &err)`, with a promise of T as its user
/// data: the callback owns the promise once the call is queued; if it is not, the
/// promise is freed here and the error thrown.
template <class T, class Start>
std::future<T> start_async(Start &&start) {
    auto promise = std::make_unique<std::promise<T>>();
    std::future<T> future = promise->get_future();
    invoke([&](nowgg_error **err) { return start(static_cast<void *>(promise.get()), err); });
    promise.release();  // NOLINT(bugprone-unused-return-value): the callback deletes it
    return future;
}

}  // namespace detail

/// A client of the Payments API: build one and share it by reference between threads
/// (its const methods may run concurrently). Move-only; a moved-from Client throws
/// INVALID_ARGUMENT when used. It may be destroyed while *_async calls are in flight:
/// they complete, and their futures are fulfilled.
class Client {
public:
    /// Checks the options and builds the client; throws Error (INVALID_ARGUMENT).
    explicit Client(const ClientOptions &options) {
        const std::string api_key = detail::c_arg(options.api_key, "api_key");
        nowgg_config *raw = nullptr;
        detail::invoke([&](nowgg_error **err) { return nowgg_config_new(api_key.c_str(), &raw, err); });
        std::unique_ptr<nowgg_config, detail::ConfigDeleter> config(raw);
        nowgg_config *c = config.get();
        detail::set_text(c, options.region, "region", nowgg_config_set_region);
        detail::set_text(c, options.base_url, "base_url", nowgg_config_set_base_url);
        detail::set_value(c, options.timeout, nowgg_config_set_timeout_ms);
        detail::set_value(c, options.connect_timeout, nowgg_config_set_connect_timeout_ms);
        detail::set_value(c, options.max_retries, nowgg_config_set_max_retries);
        detail::set_value(c, options.deadline, nowgg_config_set_deadline_ms);
        detail::set_value(c, options.max_in_flight, nowgg_config_set_max_in_flight);
        detail::set_text(c, options.user_agent, "user_agent", nowgg_config_set_user_agent);
        detail::set_text(c, options.proxy, "proxy", nowgg_config_set_proxy);
        if (options.ca_certs_pem) {
            const std::string &pem = *options.ca_certs_pem;
            detail::invoke([&](nowgg_error **err) {
                return nowgg_config_add_ca_certs_pem(c, reinterpret_cast<const std::uint8_t *>(pem.data()),
                                                     pem.size(), err);
            });
        }
        detail::set_value(c, options.max_response_bytes, nowgg_config_set_max_response_bytes);
        if (options.on_report) {
            // The library owns the copy from here, freeing it when no call can use it.
            auto *listener = new detail::ReportListener(options.on_report);
            detail::invoke([&](nowgg_error **err) {
                return nowgg_config_set_report_callback(c, detail::hear_report, listener,
                                                        detail::free_report_listener, err);
            });
        }
        const nowgg_client *client = nullptr;
        detail::invoke([&](nowgg_error **err) { return nowgg_client_new(c, &client, err); });
        handle_.reset(client);
    }

    /// Verifies a purchase token; throws Error. A genuine token is not yet a reason to
    /// grant: verify_for_grant also checks the purchase against your policy.
    Purchase verify_purchase(std::string_view token) const {
        const std::string t = detail::c_arg(token, "token");
        nowgg_purchase *raw = nullptr;
        detail::invoke([&](nowgg_error **err) { return nowgg_verify_purchase(handle_.get(), t.c_str(), &raw, err); });
        return Purchase(raw);
    }

    /// Step 1 of a grant: verifies, then checks the purchase against `policy`; throws
    /// Error (a refusal: NOWGG_NOT_PAID, NOWGG_ALREADY_CONSUMED, NOWGG_PACKAGE_MISMATCH,
    /// NOWGG_PRODUCT_MISMATCH, NOWGG_TEST_ORDER). Next: record the grant under
    /// order_id(), grant, consume.
    Purchase verify_for_grant(std::string_view token, const GrantPolicy &policy) const {
        const std::string t = detail::c_arg(token, "token");
        const auto c = detail::c_policy(policy);
        nowgg_purchase *raw = nullptr;
        detail::invoke([&](nowgg_error **err) {
            return nowgg_verify_for_grant(handle_.get(), t.c_str(), c.get(), &raw, err);
        });
        return Purchase(raw);
    }

    /// Step 4 of a grant: makes sure the purchase is consumed, once its grant is recorded
    /// and delivered. Both outcomes mean done; throws Error otherwise (a retryable one:
    /// call again later). Always safe to call again; the request is never sent twice in
    /// one call. ERROR_CONSUMING_PRODUCT (3800) is left only for an unpaid purchase.
    ConsumeOutcome consume_purchase(const ConsumeRequest &request) const {
        const Consume c(request);
        nowgg_consume_outcome outcome = NOWGG_OUTCOME_CONSUMED;
        detail::invoke([&](nowgg_error **err) {
            return nowgg_consume_purchase(handle_.get(), c.token.c_str(), c.store.c_str(), detail::c_opt(c.product_id),
                                          detail::c_opt(c.currency), detail::c_opt(c.payload), &outcome, err);
        });
        return static_cast<ConsumeOutcome>(outcome);
    }

    /// verify_purchase on one of the library's threads: returns at once; get() returns
    /// the purchase or throws its Error. Throws at once only for a NUL in the token.
    std::future<Purchase> verify_purchase_async(std::string_view token) const {
        const std::string t = detail::c_arg(token, "token");
        return detail::start_async<Purchase>([&](void *promise, nowgg_error **err) {
            return nowgg_verify_purchase_async(handle_.get(), t.c_str(), detail::purchase_done, promise, err);
        });
    }

    /// verify_for_grant on one of the library's threads, like verify_purchase_async.
    std::future<Purchase> verify_for_grant_async(std::string_view token, const GrantPolicy &policy) const {
        const std::string t = detail::c_arg(token, "token");
        const auto c = detail::c_policy(policy);
        return detail::start_async<Purchase>([&](void *promise, nowgg_error **err) {
            return nowgg_verify_for_grant_async(handle_.get(), t.c_str(), c.get(), detail::purchase_done, promise, err);
        });
    }

    /// consume_purchase on one of the library's threads: returns at once; get() returns
    /// the outcome or throws its Error.
    std::future<ConsumeOutcome> consume_purchase_async(const ConsumeRequest &request) const {
        const Consume c(request);
        return detail::start_async<ConsumeOutcome>([&](void *promise, nowgg_error **err) {
            return nowgg_consume_purchase_async(handle_.get(), c.token.c_str(), c.store.c_str(),
                                                detail::c_opt(c.product_id), detail::c_opt(c.currency),
                                                detail::c_opt(c.payload), detail::consume_done, promise, err);
        });
    }

    /// The C handle, for calls the wrapper does not cover; still owned by this Client.
    const nowgg_client *get() const noexcept { return handle_.get(); }

private:
    /// A consume's arguments, checked for NULs and kept alive for the C call.
    struct Consume {
        explicit Consume(const ConsumeRequest &r)
            : token(detail::c_arg(r.token, "token")),
              store(detail::c_arg(r.store, "store")),
              product_id(detail::c_opt_arg(r.product_id, "product_id")),
              currency(detail::c_opt_arg(r.currency, "currency")),
              payload(detail::c_opt_arg(r.developer_payload, "developer_payload")) {}
        std::string token, store;
        std::optional<std::string> product_id, currency, payload;
    };

    std::unique_ptr<const nowgg_client, detail::ClientDeleter> handle_;
};

/// Whether a token comes from now.gg's No Code Payment flow (starts with "-nowgg-").
inline bool is_nowgg_token(std::string_view token) {
    return nowgg_is_nowgg_token(std::string(token).c_str());
}

/// The linked library's version, e.g. "0.1.0" (NOWGG_PAYMENTS_VERSION is the header's).
inline std::string version() { return nowgg_version(); }

/// An offline now.gg for a game team's own tests: nowgg::testing::Sandbox.
namespace testing {

/// What Sandbox::add_purchase stores, by name; every member has its default, so C++20
/// designated initializers name only what differs:
/// `sb.add_purchase({.product_id = "gems_500", .paid = false})`.
struct PurchaseSpec {
    /// productId and sellerGoodsId; unset: "gems_100".
    std::optional<std::string> product_id{};
    /// packageName; unset: "com.example.game".
    std::optional<std::string> package_name{};
    bool paid = true;
    bool consumed = false;
    bool test_order = false;
    /// "nowgg", "xiaomi", "onestore", "amazon" or "huawei".
    std::string store = "nowgg";
    /// unset: a new "-nowgg-..." token. A purchase with the same token is replaced.
    std::optional<std::string> token{};
    /// orderId; unset: a new one.
    std::optional<std::string> order_id{};
    /// A JSON object of raw verifyPurchase fields, added last (they override the others).
    std::optional<std::string> data_json{};
};

namespace detail {

struct SandboxDeleter {
    void operator()(nowgg_sandbox *sandbox) const noexcept { nowgg_sandbox_free(sandbox); }
};

/// Takes a string a nowgg_sandbox_* call handed out, copies it, and frees it; nullopt
/// for NULL.
inline std::optional<std::string> take(char *raw) {
    const std::unique_ptr<char, void (*)(char *)> owned(raw, nowgg_sandbox_string_free);
    return nowgg::detail::text(raw);
}

}  // namespace detail

/// An in-process sandbox: a stateful emulator of now.gg's Payments API on 127.0.0.1 and
/// a free port, serving from its own threads until destroyed (which frees the port).
/// Move-only; a moved-from Sandbox throws INVALID_ARGUMENT when used. Its const methods
/// may run from any threads at once.
///
///     nowgg::testing::Sandbox sb;
///     const nowgg::Client client = sb.client();
///     const std::string token = sb.add_purchase({.product_id = "gems_500"});
class Sandbox {
public:
    /// Starts a sandbox that accepts `api_key`; throws Error (INVALID_ARGUMENT for an
    /// empty key, CONNECTION when no port can be bound).
    explicit Sandbox(std::string_view api_key = "test-key") {
        const std::string key = nowgg::detail::c_arg(api_key, "api_key");
        nowgg_sandbox *raw = nullptr;
        nowgg::detail::invoke([&](nowgg_error **err) { return nowgg_sandbox_start(key.c_str(), &raw, err); });
        handle_.reset(raw);
    }

    /// The base URL, "http://127.0.0.1:PORT".
    std::string url() const { return lent(nowgg_sandbox_url(handle_.get())); }

    /// The API key it accepts.
    std::string api_key() const { return lent(nowgg_sandbox_api_key(handle_.get())); }

    /// The console, "http://127.0.0.1:PORT/_sandbox/": its purchases, request log and
    /// faults in a browser.
    std::string console_url() const { return lent(nowgg_sandbox_console_url(handle_.get())); }

    /// A Client of this sandbox: `options` with the sandbox's URL (unless base_url is
    /// set) and its key (unless api_key is set).
    Client client(ClientOptions options = {}) const {
        if (options.api_key.empty()) options.api_key = api_key();
        if (!options.base_url) options.base_url = url();
        return Client(options);
    }

    /// Stores a purchase, shaped as now.gg answers it, and returns its token; throws
    /// Error (INVALID_ARGUMENT for a bad field).
    std::string add_purchase(const PurchaseSpec &spec = {}) const {
        const auto product_id = nowgg::detail::c_opt_arg(spec.product_id, "product_id");
        const auto package_name = nowgg::detail::c_opt_arg(spec.package_name, "package_name");
        const std::string store = nowgg::detail::c_arg(spec.store, "store");
        const auto token = nowgg::detail::c_opt_arg(spec.token, "token");
        const auto order_id = nowgg::detail::c_opt_arg(spec.order_id, "order_id");
        const auto data_json = nowgg::detail::c_opt_arg(spec.data_json, "data_json");
        nowgg_sandbox_purchase_spec c{};
        c.product_id = nowgg::detail::c_opt(product_id);
        c.package_name = nowgg::detail::c_opt(package_name);
        c.unpaid = !spec.paid;
        c.consumed = spec.consumed;
        c.test_order = spec.test_order;
        c.store = store.c_str();
        c.token = nowgg::detail::c_opt(token);
        c.order_id = nowgg::detail::c_opt(order_id);
        c.data_json = nowgg::detail::c_opt(data_json);
        char *raw = nullptr;
        nowgg::detail::invoke(
            [&](nowgg_error **err) { return nowgg_sandbox_add_purchase(handle_.get(), &c, &raw, err); });
        return detail::take(raw).value_or("");
    }

    /// Queues a fault for the next API requests, as the JSON the control API takes: one
    /// object or an array, e.g. R"({"action": "status", "status": 503})" or
    /// R"({"action": "drop_after", "match": "consume"})". Throws Error (INVALID_ARGUMENT).
    void add_fault(std::string_view fault_json) const {
        const std::string json = nowgg::detail::c_arg(fault_json, "fault_json");
        nowgg::detail::invoke(
            [&](nowgg_error **err) { return nowgg_sandbox_add_fault(handle_.get(), json.c_str(), err); });
    }

    /// The stored purchase's verifyPurchase `data`, as JSON text; nullopt for an unknown
    /// token.
    std::optional<std::string> purchase(std::string_view token) const {
        const std::string t = nowgg::detail::c_arg(token, "token");
        char *raw = nullptr;
        nowgg::detail::invoke(
            [&](nowgg_error **err) { return nowgg_sandbox_purchase(handle_.get(), t.c_str(), &raw, err); });
        return detail::take(raw);
    }

    /// The API requests received since the start or the last reset, oldest first, as the
    /// JSON text of an array of request records.
    std::string requests() const {
        char *raw = nullptr;
        nowgg::detail::invoke([&](nowgg_error **err) { return nowgg_sandbox_requests(handle_.get(), &raw, err); });
        return detail::take(raw).value_or("[]");
    }

    /// Back to the start: the vendor's sample purchases only, no faults, an empty log.
    void reset() const {
        nowgg::detail::invoke([&](nowgg_error **err) { return nowgg_sandbox_reset(handle_.get(), err); });
    }

    /// The C handle, still owned by this Sandbox.
    const nowgg_sandbox *get() const noexcept { return handle_.get(); }

private:
    /// A string the sandbox lent, copied; NULL means this Sandbox was moved from.
    static std::string lent(const char *value) {
        if (value == nullptr) {
            throw Error(NOWGG_INVALID_ARGUMENT, "the sandbox was moved from", std::nullopt, std::nullopt, false);
        }
        return value;
    }

    std::unique_ptr<nowgg_sandbox, detail::SandboxDeleter> handle_;
};

}  // namespace testing

}  // namespace nowgg

#endif
