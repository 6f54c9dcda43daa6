//! HTTPS: a rustls client that trusts only the sandbox's CA PEM, in-process and through
//! the binary's `--tls --ca-out`.

mod common;

use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::{address_of, spawn_binary, Client, KEY};
use nowgg_sandbox::{Config, Sandbox};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

type TlsStream = StreamOwned<ClientConnection, TcpStream>;

fn tls_client(addr: SocketAddr, ca_pem: &str, server_name: &str) -> Client<TlsStream> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots
            .add(cert.expect("valid PEM"))
            .expect("valid CA certificate");
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let name = ServerName::try_from(server_name.to_owned()).unwrap();
    let conn = ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    Client::over(StreamOwned::new(conn, tcp))
}

#[test]
fn serves_https_trusted_through_the_ca_pem_for_name_and_ip() {
    let sb = Sandbox::start(Config::new(KEY).tls(true)).unwrap();
    assert!(sb.url().starts_with("https://127.0.0.1:"), "{}", sb.url());
    let ca_pem = sb.ca_pem().expect("a CA with TLS").to_owned();
    for name in ["localhost", "127.0.0.1"] {
        let mut client = tls_client(sb.addr(), &ca_pem, name);
        assert_eq!(
            client.verify("-nowgg-sample-paid").unwrap().code(),
            0,
            "{name}"
        );
        // Keep-alive over TLS too.
        assert_eq!(
            client
                .consume(&[("purchaseToken", "xiaomi-sample-1")])
                .unwrap()
                .code(),
            3800
        );
    }
}

#[test]
fn a_client_trusting_another_ca_is_refused() {
    let sb = Sandbox::start(Config::new(KEY).tls(true)).unwrap();
    let other = Sandbox::start(Config::new(KEY).tls(true)).unwrap();
    let mut client = tls_client(sb.addr(), other.ca_pem().unwrap(), "localhost");
    let err = client.verify("-nowgg-sample-paid").unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
}

#[test]
fn tls_drop_before_sends_no_bytes() {
    let sb = Sandbox::start(Config::new(KEY).tls(true)).unwrap();
    sb.add_fault(nowgg_sandbox::Fault::new(nowgg_sandbox::Action::DropBefore));
    let mut client = tls_client(sb.addr(), sb.ca_pem().unwrap(), "localhost");
    assert!(client.verify("-nowgg-sample-paid").is_err());
}

#[test]
fn binary_prints_the_url_first_and_writes_the_ca() {
    let ca_out = std::env::temp_dir().join(format!("nowgg-sandbox-ca-{}.pem", std::process::id()));
    let (_running, line) =
        spawn_binary(&["--port", "0", "--tls", "--ca-out", ca_out.to_str().unwrap()]);
    assert!(
        line.starts_with("listening on https://127.0.0.1:"),
        "{line:?}"
    );
    let ca_pem = std::fs::read_to_string(&ca_out).unwrap();
    std::fs::remove_file(&ca_out).unwrap();
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let addr = address_of(&line);
    let mut client = tls_client(addr, &ca_pem, "localhost");
    assert_eq!(client.verify("-nowgg-sample-paid").unwrap().code(), 0);
}

#[test]
fn binary_serves_plain_http_with_a_fixtures_file() {
    let fixtures = std::env::temp_dir().join(format!(
        "nowgg-sandbox-fixtures-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &fixtures,
        r#"[{"token": "huawei-1", "store": "huawei", "data": {"purchaseState": 1, "consumptionState": 0}}]"#,
    )
    .unwrap();
    let (_running, line) = spawn_binary(&["--fixtures", fixtures.to_str().unwrap()]);
    std::fs::remove_file(&fixtures).unwrap();
    assert!(
        line.starts_with("listening on http://127.0.0.1:"),
        "{line:?}"
    );
    let mut client = Client::connect(address_of(&line));
    let verified = client.verify("huawei-1").unwrap().json();
    assert_eq!(verified["data"]["purchaseToken"], "huawei-1");
    assert_eq!(client.verify("-nowgg-sample-paid").unwrap().code(), 3901);
    assert_eq!(
        client
            .consume(&[("purchaseToken", "huawei-1"), ("type", "huawei")])
            .unwrap()
            .code(),
        3800
    );
}

#[test]
fn binary_refuses_tls_without_ca_out() {
    let output = Command::new(env!("CARGO_BIN_EXE_nowgg-sandbox"))
        .args(["--api-key", KEY, "--tls"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--ca-out"));
}
