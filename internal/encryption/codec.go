// Package encryption encrypts Temporal payloads with AES-256-GCM, so that
// workflow histories hold no personal data in plain text. Each payload
// names the key that encrypted it; new payloads use the newest key and old
// keys stay readable, so keys rotate without re-encrypting history.
//
// It must not import the services, the workflows or the store.
package encryption

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	encoding    = "binary/encrypted"
	keyIDHeader = "encryption-key-id"
)

// Keyring holds the keys by ID; Current encrypts new payloads.
type Keyring struct {
	Current string
	keys    map[string]cipher.AEAD
}

// ParseKeyring reads lines "<key id> <base64 of 32 bytes>"; blank lines and
// lines starting with # are skipped. The last key is the current one.
func ParseKeyring(text []byte) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, b64, ok := strings.Cut(line, " ")
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if !ok || err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key line %d: want \"<id> <base64 of 32 bytes>\"", n)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		if k.keys[id], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
		k.Current = id
	}
	if k.Current == "" {
		return nil, errors.New("no keys")
	}
	return k, nil
}

// LoadKeyring reads a key file, creating it with one new key when create is
// set and the file is missing (development only: production keys come from
// the operator, never from the repository).
func LoadKeyring(file string, create bool) (*Keyring, error) {
	text, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) && create {
		text = []byte("# ROTS payload keys: \"<id> <base64 key>\", newest last\n" + NewKeyLine("k1") + "\n")
		err = os.WriteFile(file, text, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("encryption.LoadKeyring: %w", err)
	}
	k, err := ParseKeyring(text)
	if err != nil {
		return nil, fmt.Errorf("encryption.LoadKeyring(%s): %w", file, err)
	}
	return k, nil
}

// NewKeyLine makes a key file line with a fresh random key.
func NewKeyLine(id string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return id + " " + base64.StdEncoding.EncodeToString(b)
}

// Codec is a Temporal payload codec on a keyring.
type Codec struct{ Keys *Keyring }

var _ converter.PayloadCodec = Codec{}

// DataConverter is Temporal's default data converter with encryption.
func (c Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// Encode encrypts each payload with the current key; the key ID travels in
// the metadata and is bound to the ciphertext as additional data.
func (c Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.Keys.keys[c.Keys.Current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(encoding), keyIDHeader: []byte(c.Keys.Current)},
			Data:     aead.Seal(nonce, nonce, plain, []byte(c.Keys.Current)),
		}
	}
	return out, nil
}

// Decode decrypts payloads this codec encrypted, with the key they name,
// and passes others (written before encryption) through.
func (c Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != encoding {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[keyIDHeader])
		aead, ok := c.Keys.keys[id]
		if !ok {
			return nil, fmt.Errorf("payload encrypted with unknown key %q", id)
		}
		if len(p.GetData()) < aead.NonceSize() {
			return nil, errors.New("encrypted payload too short")
		}
		nonce, sealed := p.GetData()[:aead.NonceSize()], p.GetData()[aead.NonceSize():]
		plain, err := aead.Open(nil, nonce, sealed, []byte(id))
		if err != nil {
			return nil, fmt.Errorf("payload with key %q: %w", id, err)
		}
		out[i] = &commonpb.Payload{}
		if err := proto.Unmarshal(plain, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// textPrefix marks a text sealed by SealText.
const textPrefix = "enc1:"

// SealText encrypts a text with the current key for storage, bound to
// context (e.g. the case ID) so that it cannot be moved to another row. The
// empty text stays empty.
func (k *Keyring) SealText(plain, context string) string {
	if plain == "" {
		return ""
	}
	aead := k.keys[k.Current]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(plain), []byte(k.Current+"|"+context))
	return textPrefix + k.Current + ":" + base64.RawStdEncoding.EncodeToString(sealed)
}

// OpenText decrypts a text sealed by SealText with the same context; a text
// that is not sealed (stored before encryption) comes back as it is.
func (k *Keyring) OpenText(stored, context string) (string, error) {
	rest, ok := strings.CutPrefix(stored, textPrefix)
	if !ok {
		return stored, nil
	}
	id, b64, _ := strings.Cut(rest, ":")
	aead, ok := k.keys[id]
	if !ok {
		return "", fmt.Errorf("text encrypted with unknown key %q", id)
	}
	sealed, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(sealed) < aead.NonceSize() {
		return "", errors.New("damaged encrypted text")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(id+"|"+context))
	if err != nil {
		return "", fmt.Errorf("text with key %q: %w", id, err)
	}
	return string(plain), nil
}
