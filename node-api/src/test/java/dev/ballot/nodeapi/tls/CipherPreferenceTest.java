package dev.ballot.nodeapi.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CipherPreferenceTest {
  @Test
  void chachaMovesToTheFrontAndNothingIsAddedOrLost() {
    String[] enabled = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"};
    assertThat(CipherPreference.order(enabled)).containsExactly("TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
  }

  @Test
  void aSuiteThatIsNotEnabledIsNotTurnedOn() {
    assertThat(CipherPreference.order(new String[]{"TLS_AES_128_GCM_SHA256"})).containsExactly("TLS_AES_128_GCM_SHA256");
  }

  @Test
  void theJdksDefaultsGetTheServersOrder() throws Exception {
    SSLParameters p = CipherPreference.apply(SSLContext.getDefault().getDefaultSSLParameters());
    assertThat(p.getCipherSuites()[0]).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    assertThat(p.getUseCipherSuitesOrder()).isTrue();
    assertThat(p.getCipherSuites()).hasSameSizeAs(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
  }
}
