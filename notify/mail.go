package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// Mailer sends mail through an SMTP server.
type Mailer struct {
	Host string
	Port int
	From string
	// TLS is "none" (plain, for a relay on localhost), "starttls" or "tls"
	// (implicit TLS, usually port 465).
	TLS      string
	Username string
	Password string
}

// Validate lists every problem with the mail settings.
func (m *Mailer) Validate() error {
	var errs []error
	if m.Host == "" {
		errs = append(errs, errors.New("SMTP host is required"))
	}
	if m.Port < 1 || m.Port > 65535 {
		errs = append(errs, fmt.Errorf("SMTP port %d: out of range", m.Port))
	}
	if !strings.Contains(m.From, "@") {
		errs = append(errs, fmt.Errorf("SMTP sender %q: must be an e-mail address", m.From))
	}
	switch m.TLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Errorf("SMTP TLS %q: must be none, starttls or tls", m.TLS))
	}
	return errors.Join(errs...)
}

// Send delivers one message. messageID is stable per notification, so that a
// mail sent again after a crash between sending and recording can be
// recognised as the same message.
func (m *Mailer) Send(ctx context.Context, to, subject, body, messageID string) error {
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if m.TLS == "tls" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: m.Host}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify.Send: %w", err)
	}
	defer c.Close()
	if m.TLS == "starttls" {
		if err := c.StartTLS(&tls.Config{ServerName: m.Host}); err != nil {
			return fmt.Errorf("notify.Send: starttls: %w", err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return fmt.Errorf("notify.Send: auth: %w", err)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	msg := "From: " + m.From + "\r\n" +
		"To: " + to + "\r\n" +
		"Subject: " + mime.QEncoding.Encode("utf-8", subject) + "\r\n" +
		"Message-ID: <" + messageID + ">\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n")
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	return c.Quit()
}
