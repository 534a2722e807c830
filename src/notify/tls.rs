//! TLS for the connections hikeshi opens itself (chat channels over HTTPS, IMAP): one set of
//! roots and one client configuration, built here. The roots are the system's (a city's
//! machines trust what Windows or the distribution trusts) plus an optional PEM file (a
//! municipal CA, a TLS-inspecting proxy's); the provider is ring, as lettre's SMTP uses.
//! lettre builds its own client from the same sources (`rustls-native-certs` and the
//! `ca_file` it is given, notify/transport.rs).

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::{self, RootCertStore};

/// The system's roots plus an extra PEM file; an unreadable or malformed file is an error
/// naming it (never silently ignored: the connection would then fail as untrusted).
pub fn root_store(ca_file: Option<&Path>) -> Result<RootCertStore, String> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = RootCertStore::empty();
    // A system root rustls cannot use is skipped: the others still verify.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let shown = path.display();
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| format!("{shown}: {e}"))?;
        for cert in certs {
            let cert = cert.map_err(|e| format!("{shown}: {e}"))?;
            roots.add(cert).map_err(|e| format!("{shown}: {e}"))?;
        }
    }
    Ok(roots)
}

/// A client configuration with [`root_store`]'s roots, ring, and the safe protocol versions.
pub fn client_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let roots = root_store(ca_file)?;
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ca_file_that_cannot_be_read_is_named() {
        let missing = std::path::Path::new("no-such-ca.pem");
        let error = super::client_config(Some(missing))
            .err()
            .unwrap_or_default();
        assert!(error.contains("no-such-ca.pem"), "{error}");
    }
}
