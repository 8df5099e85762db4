package encryption

import (
	"bytes"
	"strings"
	"testing"

	"go.temporal.io/sdk/converter"
)

func TestEncryptsAndRotates(t *testing.T) {
	line1 := NewKeyLine("k1")
	old, err := ParseKeyring([]byte(line1))
	if err != nil {
		t.Fatal(err)
	}
	secret := "Jorre zit thuis sinds de herfstvakantie"
	p, err := old.codec().DataConverter().ToPayload(secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.GetData(), []byte("Jorre")) || string(p.GetMetadata()[keyIDHeader]) != "k1" {
		t.Fatalf("payload not encrypted with k1: %v", p)
	}

	// Rotation: k2 is added and becomes current; k1 stays for reading.
	rotated, err := ParseKeyring([]byte(line1 + "\n" + NewKeyLine("k2") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := rotated.codec().DataConverter().FromPayload(p, &got); err != nil || got != secret {
		t.Fatalf("old payload after rotation: %q, %v", got, err)
	}
	p2, err := rotated.codec().DataConverter().ToPayload(secret)
	if err != nil || string(p2.GetMetadata()[keyIDHeader]) != "k2" {
		t.Fatalf("new payload: key %q, %v", p2.GetMetadata()[keyIDHeader], err)
	}
	// Without the key, no reading; a changed key ID or byte fails too.
	if err := old.codec().DataConverter().FromPayload(p2, &got); err == nil {
		t.Error("a keyring without k2 read a k2 payload")
	}
	p2.Metadata[keyIDHeader] = []byte("k1")
	if err := rotated.codec().DataConverter().FromPayload(p2, &got); err == nil {
		t.Error("a payload with a swapped key ID was read")
	}
	p.Data[len(p.Data)-1] ^= 1
	if err := rotated.codec().DataConverter().FromPayload(p, &got); err == nil {
		t.Error("a tampered payload was read")
	}
	// Payloads from before encryption pass through.
	plain, _ := converter.GetDefaultDataConverter().ToPayload("oud")
	if err := rotated.codec().DataConverter().FromPayload(plain, &got); err != nil || got != "oud" {
		t.Errorf("plain payload: %q, %v", got, err)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	for _, text := range []string{"", "# only a comment", "k1 tooshort", "k1", "k1 " + strings.Repeat("A", 44)} {
		if _, err := ParseKeyring([]byte(text)); err == nil {
			t.Errorf("ParseKeyring(%q) accepted", text)
		}
	}
}

func (k *Keyring) codec() Codec { return Codec{Keys: k} }

func TestSealText(t *testing.T) {
	k, err := ParseKeyring([]byte(NewKeyLine("k1")))
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.SealText("Weigert naar school te gaan", "case-a")
	if strings.Contains(sealed, "school") || !strings.HasPrefix(sealed, "enc1:k1:") {
		t.Fatalf("sealed = %q", sealed)
	}
	if got, err := k.OpenText(sealed, "case-a"); err != nil || got != "Weigert naar school te gaan" {
		t.Errorf("OpenText = %q, %v", got, err)
	}
	if _, err := k.OpenText(sealed, "case-b"); err == nil {
		t.Error("a text moved to another case was opened")
	}
	if got, err := k.OpenText("oud, niet versleuteld", "case-a"); err != nil || got != "oud, niet versleuteld" {
		t.Errorf("plain text: %q, %v", got, err)
	}
	if k.SealText("", "case-a") != "" {
		t.Error("the empty text was sealed")
	}
}
