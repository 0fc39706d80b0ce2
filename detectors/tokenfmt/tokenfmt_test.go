package tokenfmt

import "testing"

// Published check values: CRC-32/IEEE("123456789") = 0xCBF43926, which is
// 3421780262 = "3jZRME" in base 62 (0-9A-Za-z).
func TestBase62CRC32KnownAnswer(t *testing.T) {
	if got := Base62CRC32("123456789"); got != "3jZRME" {
		t.Errorf("Base62CRC32 = %q", got)
	}
	if !ValidBase62CRC32("x_" + "abcdefghijklmnopqrstuvwxyz0123" + Base62CRC32("abcdefghijklmnopqrstuvwxyz0123")) {
		t.Error("a token with its own checksum is not valid")
	}
	if ValidBase62CRC32("x_" + "abcdefghijklmnopqrstuvwxyz0123" + "000000") {
		t.Error("a wrong checksum passes")
	}
}

// BIP-173 test vectors.
func TestBech32(t *testing.T) {
	for _, s := range []string{"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"} {
		if !ValidBech32(s) {
			t.Errorf("ValidBech32(%q) = false", s)
		}
	}
	for _, s := range []string{"A12UEL5l", "a12uel5m", "1qzzfhee", "split1checkupstagehandshakeupstreamerranterredcaperred2y9e2w"} {
		if ValidBech32(s) {
			t.Errorf("ValidBech32(%q) = true", s)
		}
	}
	enc := Bech32Encode("age-secret-key-", make([]byte, 32))
	if !ValidBech32(enc) || len(enc) != len("age-secret-key-1")+58 {
		t.Errorf("Bech32Encode gave %q", enc)
	}
}
