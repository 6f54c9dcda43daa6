/*
 * nowgg_payments.hpp: a header-only C++17 wrapper over nowgg_payments.h.
 *
 *     nowgg::Client client(nowgg::ClientOptions{api_key});   // once, shared by all threads
 *     nowgg::Purchase purchase = client.verify_purchase(token);
 *     if (purchase.is_paid && !purchase.is_consumed) {
 *         client.consume_purchase(nowgg::ConsumeRequest{token});
 *         grant(*purchase.product_id);
 *     }
 *
 * Failures throw nowgg::Error (a std::runtime_error) carrying the kind, the API code, the
 * HTTP status and whether a retry may succeed. Client is a move-only RAII handle; every C
 * object the wrapper makes is freed on every path, exceptions included.
 *
 * Hand-written (the C header is generated); link with nowgg_payments::nowgg_payments.
 */
#ifndef NOWGG_PAYMENTS_HPP
#define NOWGG_PAYMENTS_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

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

/// A verified purchase, copied out of the library: a plain value, safe to keep and share.
/// Every field may be absent (`std::nullopt`); the names are the API's, in snake_case.
struct Purchase {
    std::optional<std::string> app_id{};
    std::optional<std::string> country_code{};
    std::optional<std::string> currency{};
    std::optional<std::string> developer_payload{};
    std::optional<std::string> environment{};
    std::optional<std::string> kind{};
    /// The amount as text: money is never a float.
    std::optional<std::string> order_amount{};
    std::optional<std::string> order_id{};
    std::optional<std::string> package_name{};
    std::optional<std::string> pay_status_txt{};
    std::optional<std::string> pay_time_txt{};
    std::optional<std::string> product_id{};
    std::optional<std::string> product_name{};
    /// As sent (seconds or milliseconds): prefer purchase_time_ms.
    std::optional<std::string> purchase_time{};
    std::optional<std::string> purchase_time_millis{};
    std::optional<std::string> purchase_token{};
    std::optional<std::string> region_code{};
    std::optional<std::string> seller_goods_id{};
    /// 0 unpaid, 1 paid, 2 failed; other values kept as sent.
    std::optional<std::int64_t> purchase_state{};
    /// 0 not consumed, 1 consumed; other values kept as sent.
    std::optional<std::int64_t> consumption_state{};
    /// The purchase time in milliseconds since the Unix epoch, normalised.
    std::optional<std::int64_t> purchase_time_ms{};
    /// Paid (purchaseState 1): the product may be granted.
    bool is_paid = false;
    /// Consumed (consumptionState 1): never grant it again.
    bool is_consumed = false;
    bool is_test_order = false;
    /// The whole `data` object as compact JSON, unknown fields included.
    std::string raw_json{};
};

/// A consume: the token, and for multi-store purchases the store ("xiaomi", "onestore")
/// and product id (required there), currency and developer payload.
struct ConsumeRequest {
    std::string token{};
    std::string store = "nowgg";
    std::optional<std::string> product_id{};
    std::optional<std::string> currency{};
    std::optional<std::string> developer_payload{};
};

/// The options of a Client; unset ones keep the library's defaults (region global,
/// timeout 10 s, connect timeout 3 s, 2 retries, 1 MiB response cap).
struct ClientOptions {
    std::string api_key{};
    /// "global" or "china"; ignored when base_url is set.
    std::optional<std::string> region{};
    /// https://..., or http:// to a loopback host only (the sandbox).
    std::optional<std::string> base_url{};
    /// Per attempt, connect included.
    std::optional<std::chrono::milliseconds> timeout{};
    std::optional<std::chrono::milliseconds> connect_timeout{};
    /// Retries of a verify after a retryable failure (consumes are never re-sent).
    std::optional<std::uint32_t> max_retries{};
    /// Appended to the User-Agent.
    std::optional<std::string> user_agent{};
    /// http://... or socks5://...
    std::optional<std::string> proxy{};
    /// Extra trusted root certificates, PEM.
    std::optional<std::string> ca_certs_pem{};
    std::optional<std::uint64_t> max_response_bytes{};
};

namespace detail {

struct ConfigDeleter {
    void operator()(nowgg_config *config) const noexcept { nowgg_config_free(config); }
};
struct ClientDeleter {
    void operator()(const nowgg_client *client) const noexcept { nowgg_client_free(client); }
};
struct PurchaseDeleter {
    void operator()(nowgg_purchase *purchase) const noexcept { nowgg_purchase_free(purchase); }
};
struct ErrorDeleter {
    void operator()(nowgg_error *error) const noexcept { nowgg_error_free(error); }
};

/// Runs one fallible C call, `call(&err)`, and throws its error (freed on every path).
template <class Call>
void invoke(Call &&call) {
    nowgg_error *raw = nullptr;
    nowgg_status status = call(&raw);
    std::unique_ptr<nowgg_error, ErrorDeleter> error(raw);
    if (status == NOWGG_OK) return;
    std::optional<std::int64_t> api_code{};
    std::optional<std::uint16_t> http_status{};
    std::int64_t code = 0;
    std::uint16_t http = 0;
    if (nowgg_error_api_code(error.get(), &code)) api_code = code;
    if (nowgg_error_http_status(error.get(), &http)) http_status = http;
    const char *message = nowgg_error_message(error.get());
    throw Error(status, message != nullptr ? message : "unknown error", api_code, http_status,
                nowgg_error_is_retryable(error.get()));
}

/// A NUL-terminated copy of an argument. C strings end at the first NUL, so an argument
/// holding one cannot be passed on faithfully: it is refused, never cut.
inline std::string c_arg(std::string_view value, const char *name) {
    if (value.find('\0') != std::string_view::npos) {
        throw Error(NOWGG_INVALID_ARGUMENT, std::string(name) + " contains a NUL character",
                    std::nullopt, std::nullopt, false);
    }
    return std::string(value);
}

inline const char *c_opt(const std::optional<std::string> &value) {
    return value ? value->c_str() : nullptr;
}

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

/// Applies a text option, when set, with its `nowgg_config_set_*` function.
template <class Setter>
void set_text(nowgg_config *config, const std::optional<std::string> &value, const char *name, Setter setter) {
    if (!value) return;
    const std::string text = c_arg(*value, name);
    invoke([&](nowgg_error **err) { return setter(config, text.c_str(), err); });
}

/// Applies a number or duration option, when set, with its `nowgg_config_set_*` function.
template <class T, class Setter>
void set_value(nowgg_config *config, const std::optional<T> &value, Setter setter) {
    if (!value) return;
    const auto number = c_value(*value);
    invoke([&](nowgg_error **err) { return setter(config, number, err); });
}

inline Purchase copy(const nowgg_purchase *p) {
    Purchase out;
    out.app_id = text(nowgg_purchase_app_id(p));
    out.country_code = text(nowgg_purchase_country_code(p));
    out.currency = text(nowgg_purchase_currency(p));
    out.developer_payload = text(nowgg_purchase_developer_payload(p));
    out.environment = text(nowgg_purchase_environment(p));
    out.kind = text(nowgg_purchase_kind(p));
    out.order_amount = text(nowgg_purchase_order_amount(p));
    out.order_id = text(nowgg_purchase_order_id(p));
    out.package_name = text(nowgg_purchase_package_name(p));
    out.pay_status_txt = text(nowgg_purchase_pay_status_txt(p));
    out.pay_time_txt = text(nowgg_purchase_pay_time_txt(p));
    out.product_id = text(nowgg_purchase_product_id(p));
    out.product_name = text(nowgg_purchase_product_name(p));
    out.purchase_time = text(nowgg_purchase_purchase_time(p));
    out.purchase_time_millis = text(nowgg_purchase_purchase_time_millis(p));
    out.purchase_token = text(nowgg_purchase_purchase_token(p));
    out.region_code = text(nowgg_purchase_region_code(p));
    out.seller_goods_id = text(nowgg_purchase_seller_goods_id(p));
    out.purchase_state = number(p, nowgg_purchase_purchase_state);
    out.consumption_state = number(p, nowgg_purchase_consumption_state);
    out.purchase_time_ms = number(p, nowgg_purchase_time_ms);
    out.is_paid = nowgg_purchase_is_paid(p);
    out.is_consumed = nowgg_purchase_is_consumed(p);
    out.is_test_order = nowgg_purchase_is_test_order(p);
    out.raw_json = nowgg_purchase_raw_json(p);
    return out;
}

}  // namespace detail

/// A client of the Payments API: build one and share it by reference between threads
/// (its const methods may run concurrently). Move-only; a moved-from Client throws
/// INVALID_ARGUMENT when used.
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
        const nowgg_client *client = nullptr;
        detail::invoke([&](nowgg_error **err) { return nowgg_client_new(c, &client, err); });
        handle_.reset(client);
    }

    Client(Client &&) noexcept = default;
    Client &operator=(Client &&) noexcept = default;
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;
    ~Client() = default;

    /// Verifies a purchase token; throws Error. Check is_paid and is_consumed before
    /// granting.
    Purchase verify_purchase(std::string_view token) const {
        const std::string t = detail::c_arg(token, "token");
        nowgg_purchase *raw = nullptr;
        detail::invoke([&](nowgg_error **err) { return nowgg_verify_purchase(handle_.get(), t.c_str(), &raw, err); });
        std::unique_ptr<nowgg_purchase, detail::PurchaseDeleter> purchase(raw);
        return detail::copy(purchase.get());
    }

    /// Consumes a purchase once it is granted; throws Error. ERROR_CONSUMING_PRODUCT
    /// (3800) means it was already consumed: do not grant it again.
    void consume_purchase(const ConsumeRequest &request) const {
        const std::string token = detail::c_arg(request.token, "token");
        const std::string store = detail::c_arg(request.store, "store");
        std::optional<std::string> product_id, currency, payload;
        if (request.product_id) product_id = detail::c_arg(*request.product_id, "product_id");
        if (request.currency) currency = detail::c_arg(*request.currency, "currency");
        if (request.developer_payload) payload = detail::c_arg(*request.developer_payload, "developer_payload");
        detail::invoke([&](nowgg_error **err) {
            return nowgg_consume_purchase(handle_.get(), token.c_str(), store.c_str(), detail::c_opt(product_id),
                                          detail::c_opt(currency), detail::c_opt(payload), err);
        });
    }

    /// The C handle, for calls the wrapper does not cover; still owned by this Client.
    const nowgg_client *get() const noexcept { return handle_.get(); }

private:
    std::unique_ptr<const nowgg_client, detail::ClientDeleter> handle_;
};

/// Whether a token comes from now.gg's No Code Payment flow (starts with "-nowgg-").
inline bool is_nowgg_token(std::string_view token) {
    return nowgg_is_nowgg_token(std::string(token).c_str());
}

/// The linked library's version, e.g. "0.1.0" (NOWGG_PAYMENTS_VERSION is the header's).
inline std::string version() { return nowgg_version(); }

}  // namespace nowgg

#endif
