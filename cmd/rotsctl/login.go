package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Tokens are kept per identity (role, region, organisation, e-mail), one
// file each under <config>/rots/tokens/, so that logging in as someone else
// never overwrites another person's session. Which one a call uses:
//
//  1. ROTS_TOKEN, the token itself (a real identity provider's);
//  2. the file ROTS_TOKEN_FILE names: this terminal's identity, whatever
//     other terminals log in as;
//  3. the identity of the last `rotsctl login` in a terminal without
//     ROTS_TOKEN_FILE: <config>/rots/current holds its file's path;
//  4. <config>/rots/token, where rotsctl kept its one token before.
//
// <config> is the user's configuration directory ($XDG_CONFIG_HOME or
// ~/.config on Linux).

func configDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for the tokens (set XDG_CONFIG_HOME or ROTS_TOKEN_FILE): %w", err)
	}
	return filepath.Join(dir, "rots"), nil
}

// identityFile is the token file of an identity:
// tokens/coordinator_limburg_tandem.limburg@rots.local.
func identityFile(dir, role, region, org, email string) string {
	parts := []string{role, region}
	if org != "" {
		parts = append(parts, org)
	}
	parts = append(parts, email)
	for i, p := range parts {
		parts[i] = fileSafe(p)
	}
	return filepath.Join(dir, "tokens", strings.Join(parts, "_"))
}

// fileSafe keeps letters, digits, '.', '@' and '-' in lower case; anything
// else becomes one '-'.
func fileSafe(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '@'
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-.")
	if out == "" {
		out = "-"
	}
	return out
}

// currentToken is the bearer token for calls and where it came from.
func currentToken() (token, source string) {
	if t := strings.TrimSpace(os.Getenv("ROTS_TOKEN")); t != "" {
		return t, "ROTS_TOKEN"
	}
	if f := os.Getenv("ROTS_TOKEN_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", "ROTS_TOKEN_FILE=" + f + " (niet te lezen)"
		}
		return strings.TrimSpace(string(b)), "ROTS_TOKEN_FILE=" + f
	}
	dir, err := configDir()
	if err != nil {
		return "", ""
	}
	if p, err := os.ReadFile(filepath.Join(dir, "current")); err == nil {
		f := strings.TrimSpace(string(p))
		if b, err := os.ReadFile(f); err == nil {
			return strings.TrimSpace(string(b)), f + " (de laatste login)"
		}
		return "", f + " (de laatste login; niet te lezen)"
	}
	if b, err := os.ReadFile(filepath.Join(dir, "token")); err == nil {
		return strings.TrimSpace(string(b)), filepath.Join(dir, "token")
	}
	return "", ""
}

// writeFile writes a file readable by its owner only, atomically.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

var roles = []string{"submitter", "coordinator", "partner", "manager", "admin", "auditor"}

// regionSlugs are the regions as flags and tokens name them.
func regionSlugs() []string {
	var out []string
	for i := 1; i < len(rotsv1.Region_name); i++ {
		out = append(out, flagValue(vocab.Stored(rotsv1.Region(i))))
	}
	return out
}

// checkIdentity refuses, before asking anyone for a token, an identity the
// API would not accept; each problem names its flag.
func checkIdentity(role, region, org string) error {
	var errs []error
	regionOne := contains(regionSlugs(), region)
	switch {
	case role == "":
		errs = append(errs, fmt.Errorf("-role ontbreekt: kies %s", strings.Join(roles, ", ")))
	case !contains(roles, role):
		errs = append(errs, fmt.Errorf("-role %q bestaat niet: kies %s", role, strings.Join(roles, ", ")))
	}
	switch {
	case region == "":
		errs = append(errs, fmt.Errorf("-region ontbreekt: kies %s, of vlaanderen voor heel Vlaanderen", strings.Join(regionSlugs(), ", ")))
	case !regionOne && region != "vlaanderen":
		errs = append(errs, fmt.Errorf("-region %q bestaat niet: kies %s, of vlaanderen voor heel Vlaanderen", region, strings.Join(regionSlugs(), ", ")))
	case region == "vlaanderen" && (role == "submitter" || role == "coordinator" || role == "partner"):
		errs = append(errs, fmt.Errorf("-region vlaanderen: een %s hoort bij één regio (%s)", role, strings.Join(regionSlugs(), ", ")))
	}
	if org == "" && (role == "submitter" || role == "partner") {
		errs = append(errs, fmt.Errorf("-org ontbreekt: een %s hoort bij een organisatie, bv. -org \"Vrij CLB Limburg\"", role))
	}
	return errors.Join(errs...)
}

func devIssuerURL() string {
	if u := os.Getenv("ROTS_DEV_ISSUER_URL"); u != "" {
		return u
	}
	if a := os.Getenv("ROTS_DEV_ISSUER"); a != "" {
		return "http://" + a
	}
	return "http://127.0.0.1:9091"
}

// login gets a token from the development issuer of `rotsd dev` and keeps
// it as the identity's. With a real identity provider, put its token in
// ROTS_TOKEN instead.
func (c *client) login(ctx context.Context, args []string) error {
	fs := c.flags("login")
	dev := fs.Bool("dev", false, "een token van de ontwikkeluitgever van rotsd dev")
	issuer := fs.String("issuer", devIssuerURL(), "adres van de ontwikkeluitgever (ROTS_DEV_ISSUER_URL, of ROTS_DEV_ISSUER als host:poort)")
	role := fs.String("role", "", strings.Join(roles, ", "))
	region := fs.String("region", "", strings.Join(regionSlugs(), ", ")+", of vlaanderen voor heel Vlaanderen")
	org := fs.String("org", "", "organisatie (aanmelders en partners)")
	email := fs.String("email", "", "e-mailadres, ook de inbox (standaard volgens rol en regio)")
	terminal := fs.Bool("terminal", false, "alleen voor deze terminal: print enkel de regel export ROTS_TOKEN_FILE=…, voor eval \"$(rotsctl login … -terminal)\"; de andere terminals blijven wie ze waren")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if !*dev {
		return usagef("alleen -dev is ingebouwd; met een echte identiteitsprovider zet u zijn access token in ROTS_TOKEN")
	}
	if err := checkIdentity(*role, *region, *org); err != nil {
		return usageErr(err)
	}
	if *email == "" {
		*email = defaultEmail(*role, *region)
	}
	body, _ := json.Marshal(map[string]string{
		"sub": *email, "email": *email, "rots_role": *role, "rots_region": *region, "rots_org": *org,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(*issuer, "/")+"/token", bytes.NewReader(body))
	if err != nil {
		return usagef("-issuer %q: %v", *issuer, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("de ontwikkeluitgever op %s antwoordt niet (-issuer): draait rotsd dev? (%v)", *issuer, err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || out.AccessToken == "" {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("de ontwikkeluitgever weigerde: %s %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	dir, err := configDir()
	if err != nil {
		return err
	}
	file := identityFile(dir, *role, *region, *org, *email)
	if err := writeFile(file, []byte(out.AccessToken+"\n")); err != nil {
		return err
	}
	who := join(", ", *role, *region, *org)
	note := c.err
	if !*terminal {
		note = c.out
	}
	fmt.Fprintf(note, "Aangemeld als %s (%s); token in %s\n", *email, who, file)
	pinned := os.Getenv("ROTS_TOKEN_FILE")
	switch {
	case *terminal:
		fmt.Fprintln(c.out, "export ROTS_TOKEN_FILE="+shellQuote(file))
	case pinned == "":
		if err := writeFile(filepath.Join(dir, "current"), []byte(file+"\n")); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "Terminals zonder ROTS_TOKEN_FILE werken nu als %s. Enkel deze terminal: export ROTS_TOKEN_FILE=%s\n",
			*email, shellQuote(file))
	case samePath(pinned, file):
		fmt.Fprintln(c.out, "Deze terminal (ROTS_TOKEN_FILE) gebruikt het nieuwe token.")
	case samePath(filepath.Dir(pinned), filepath.Dir(file)):
		// Another identity's file: never overwrite it.
		fmt.Fprintf(c.out, "Let op: deze terminal blijft werken als ROTS_TOKEN_FILE=%s. Overschakelen:\n  export ROTS_TOKEN_FILE=%s\n",
			pinned, shellQuote(file))
	default:
		// A file of this terminal's own: it now holds this identity.
		if err := writeFile(pinned, []byte(out.AccessToken+"\n")); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "Ook in ROTS_TOKEN_FILE=%s: deze terminal werkt nu als %s.\n", pinned, *email)
	}
	if os.Getenv("ROTS_TOKEN") != "" {
		fmt.Fprintln(c.err, "Let op: ROTS_TOKEN is gezet en gaat voor op elk tokenbestand (unset ROTS_TOKEN).")
	}
	return nil
}

func samePath(a, b string) bool {
	a, errA := filepath.Abs(a)
	b, errB := filepath.Abs(b)
	return errA == nil && errB == nil && a == b
}

// shellQuote quotes a path for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// defaultEmail matches the inboxes rotsd uses while a region has no
// addresses configured: tandem.limburg@rots.local, manager.limburg@rots.local.
func defaultEmail(role, region string) string {
	switch role {
	case "coordinator":
		return "tandem." + region + "@rots.local"
	case "manager":
		return "manager." + region + "@rots.local"
	}
	return role + "@rots.local"
}

// tokenClaims are what rotsctl reads from a token to say who one is; it
// does not check the signature, the server does.
type tokenClaims struct {
	Subject string `json:"sub"`
	Email   string `json:"email,omitempty"`
	Role    string `json:"rots_role"`
	Region  string `json:"rots_region"`
	Org     string `json:"rots_org,omitempty"`
	Expiry  int64  `json:"exp,omitempty"`
}

func readClaims(token string) (tokenClaims, error) {
	var tc tokenClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return tc, errors.New("geen JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return tc, err
	}
	return tc, json.Unmarshal(b, &tc)
}

// whoami says as whom this terminal works and where the token is.
func (c *client) whoami(ctx context.Context, args []string) error {
	fs := c.flags("whoami")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	token, source := currentToken()
	if token == "" {
		if source != "" {
			return fmt.Errorf("geen token: %s", source)
		}
		return errors.New("niet aangemeld: rotsctl login -dev -role … -region … (of zet ROTS_TOKEN)")
	}
	tc, err := readClaims(token)
	if err != nil {
		return fmt.Errorf("het token uit %s is geen JWT: %v", source, err)
	}
	if c.json {
		return jsonObject(c.out, "email", tc.Email, "subject", tc.Subject, "role", tc.Role, "region", tc.Region,
			"organisation", tc.Org, "expire_time", time.Unix(tc.Expiry, 0).UTC().Format(time.RFC3339), "token_source", source)
	}
	k := newCard(c.out)
	k.line("Wie", join(" ", tc.Email, subjectIfOther(tc)))
	k.line("Rol", tc.Role)
	k.line("Regio", tc.Region)
	k.line("Organisatie", tc.Org)
	if tc.Expiry > 0 {
		exp := time.Unix(tc.Expiry, 0)
		state := "geldig tot " + dutch.ShortDateTime(exp)
		if time.Now().After(exp) {
			state = "verlopen op " + dutch.ShortDateTime(exp) + ": meld u opnieuw aan"
		}
		k.line("Token", state)
	}
	k.line("Uit", source)
	return k.flush()
}

func subjectIfOther(tc tokenClaims) string {
	if tc.Subject == "" || tc.Subject == tc.Email {
		return ""
	}
	return "(" + tc.Subject + ")"
}

// parseArgs parses flags and positional arguments in any order ("show
// ROTS-… -json" and "show -json ROTS-…"); want is how many positional
// arguments the command takes, -1 for any number.
func parseArgs(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagParseError(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if want >= 0 && len(pos) != want {
		switch {
		case want == 0:
			return nil, usagef("onverwacht argument %q", pos[0])
		case len(pos) < want:
			return nil, usagef("argument ontbreekt")
		default:
			return nil, usagef("te veel argumenten: %s", strings.Join(pos[want:], " "))
		}
	}
	return pos, nil
}
