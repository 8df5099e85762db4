package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// tokenFile is where `rotsctl login` keeps the token: ROTS_TOKEN_FILE, or
// rots/token in the user's config directory.
func tokenFile() (string, error) {
	if f := os.Getenv("ROTS_TOKEN_FILE"); f != "" {
		return f, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "rots", "token"), nil
}

// token is the bearer token for calls: ROTS_TOKEN, or the saved one.
func token() string {
	if t := os.Getenv("ROTS_TOKEN"); t != "" {
		return t
	}
	f, err := tokenFile()
	if err != nil {
		return ""
	}
	b, _ := os.ReadFile(f)
	return strings.TrimSpace(string(b))
}

// login gets a token from the development issuer of `rotsd dev` and saves
// it. With a real identity provider, put its token in ROTS_TOKEN instead.
func login(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	dev := fs.Bool("dev", false, "get a token from the development issuer of rotsd dev")
	issuer := fs.String("issuer", envOr("ROTS_DEV_ISSUER_URL", "http://127.0.0.1:9091"), "development issuer URL")
	role := fs.String("role", "", "submitter, coordinator, partner, manager, admin or auditor")
	region := fs.String("region", "", "antwerpen, brussel, limburg, oost-vlaanderen, vlaams-brabant, west-vlaanderen, or vlaanderen for all")
	org := fs.String("org", "", "organisation (submitters and partners)")
	email := fs.String("email", "", "e-mail address, also the inbox (default by role and region)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*dev {
		return errors.New("only -dev login is built in; with a real identity provider set ROTS_TOKEN to its access token")
	}
	if *email == "" {
		*email = defaultEmail(*role, *region)
	}
	body, _ := json.Marshal(map[string]string{
		"sub": *email, "email": *email, "rots_role": *role, "rots_region": *region, "rots_org": *org,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, *issuer+"/token", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("development issuer: %w (is rotsd dev running?)", err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || out.AccessToken == "" {
		return fmt.Errorf("development issuer refused: %s", resp.Status)
	}
	f, err := tokenFile()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(f, []byte(out.AccessToken+"\n"), 0o600); err != nil {
		return err
	}
	fmt.Printf("logged in as %s (%s, %s); token in %s\n", *email, *role, *region, f)
	return nil
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
