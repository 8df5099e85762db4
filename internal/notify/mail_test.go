package notify_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rots-vlaanderen/roundtable/internal/notify"
)

// smtpServer is a real SMTP server (go-smtp) on a loopback port that keeps
// what it receives, or refuses every recipient with refuse.
type smtpServer struct {
	port   int
	refuse *smtp.SMTPError

	mu  sync.Mutex
	got []envelope
}

// envelope is one mail as the server took it.
type envelope struct {
	from string
	to   []string
	data []byte
}

func startSMTP(t *testing.T, refuse *smtp.SMTPError) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{port: l.Addr().(*net.TCPAddr).Port, refuse: refuse}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) received() []envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]envelope(nil), s.got...)
}

type smtpSession struct {
	s   *smtpServer
	env envelope
}

func (x *smtpSession) Reset()        { x.env = envelope{} }
func (x *smtpSession) Logout() error { return nil }
func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	x.env.from = from
	return nil
}

func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.refuse != nil {
		return x.s.refuse
	}
	x.env.to = append(x.env.to, to)
	return nil
}

func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.env.data = b
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.got = append(x.s.got, x.env)
	return nil
}

func mailer(port int, log *slog.Logger) *notify.Mailer {
	return &notify.Mailer{Host: "127.0.0.1", Port: port, From: "rots@rots.local", TLS: "none", Log: log}
}

func send(t *testing.T, m *notify.Mailer, msg notify.Message) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return m.Send(ctx, msg)
}

func TestMailWithInvitation(t *testing.T) {
	srv := startSMTP(t, nil)
	subject, body := notify.Compose(notify.Event{
		CaseID: caseID, Reference: reference, Region: "WEST_VLAANDEREN", Stage: "TABLE", Kind: "invitation",
		Meeting: &notify.Meeting{At: at(2027, 1, 12, 14, 0), Minutes: 90, Location: "CLB Brugge, zaal één", Sequence: 2},
	})
	ics := notify.Invitation(caseID, reference, notify.Meeting{At: at(2027, 1, 12, 14, 0), Minutes: 90, Location: "CLB Brugge", Sequence: 2},
		"bram.peeters@arktos.example", time.Now())
	msg := notify.Message{To: "bram.peeters@arktos.example", Subject: subject + " — één", Body: body, ID: "notification-7@rots", Invitation: ics}
	if err := send(t, mailer(srv.port, nil), msg); err != nil {
		t.Fatal(err)
	}

	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("%d mails delivered, want 1", len(got))
	}
	env := got[0]
	if env.from != "rots@rots.local" || len(env.to) != 1 || env.to[0] != msg.To {
		t.Errorf("envelope from %q to %v", env.from, env.to)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(env.data))
	if err != nil {
		t.Fatal(err)
	}
	h := parsed.Header
	// The Message-ID is the notification's, so that a mail sent again
	// after a crash is recognisably the same mail.
	for name, want := range map[string]string{
		"From": "rots@rots.local", "To": msg.To, "Message-Id": "<notification-7@rots>", "Mime-Version": "1.0",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	// A header is ASCII: the non-ASCII subject goes as encoded words and
	// decodes to what was sent.
	raw := h.Get("Subject")
	for _, r := range raw {
		if r > 127 {
			t.Errorf("raw Subject %q is not ASCII", raw)
			break
		}
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(raw); err != nil || dec != msg.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", dec, err, msg.Subject)
	}

	// The text, then the calendar request as an attachment.
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	r := multipart.NewReader(parsed.Body, params["boundary"])
	text := nextPart(t, r)
	if ct := text.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("text part Content-Type %q", ct)
	}
	if got, want := readAll(t, text), strings.ReplaceAll(body, "\n", "\r\n"); got != want {
		t.Errorf("text\n%q\nwant\n%q", got, want)
	}
	cal := nextPart(t, r)
	if mt, p, err := mime.ParseMediaType(cal.Header.Get("Content-Type")); err != nil || mt != "text/calendar" || p["method"] != "REQUEST" || p["charset"] != "utf-8" {
		t.Errorf("calendar part Content-Type %q", cal.Header.Get("Content-Type"))
	}
	if d, p, err := mime.ParseMediaType(cal.Header.Get("Content-Disposition")); err != nil || d != "attachment" || p["filename"] != "overlegtafel.ics" {
		t.Errorf("calendar part Content-Disposition %q", cal.Header.Get("Content-Disposition"))
	}
	if got := readAll(t, cal); got != ics {
		t.Errorf("attachment\n%q\nwant the invitation\n%q", got, ics)
	}
	if _, err := r.NextPart(); err != io.EOF {
		t.Errorf("a third part: %v", err)
	}
}

func TestMailPlain(t *testing.T) {
	srv := startSMTP(t, nil)
	subject, body := notify.Compose(notify.Event{CaseID: caseID, Reference: reference, Region: "LIMBURG", Stage: "INTAKE", Kind: "stage"})
	msg := notify.Message{To: "tandem@clb-limburg.be", Subject: subject, Body: body, ID: "notification-8@rots"}
	if err := send(t, mailer(srv.port, nil), msg); err != nil {
		t.Fatal(err)
	}
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("%d mails delivered, want 1", len(got))
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	// An ASCII subject goes as it is.
	if s := parsed.Header.Get("Subject"); s != subject {
		t.Errorf("Subject %q, want %q", s, subject)
	}
	if ct := parsed.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if b := readAll(t, parsed.Body); b != strings.ReplaceAll(body, "\n", "\r\n") {
		t.Errorf("body %q", b)
	}
}

// A 5xx refusal is permanent, and the caller can tell (SendMail then stops
// retrying); a 4xx one is temporary. Either is a DeliveryError, logged as
// a warning.
func TestMailRefused(t *testing.T) {
	for _, c := range []struct {
		code      int
		permanent bool
	}{{550, true}, {553, true}, {451, false}, {452, false}} {
		refusal := &smtp.SMTPError{Code: c.code, EnhancedCode: smtp.EnhancedCode{c.code / 100, 1, 1}, Message: "no such mailbox"}
		srv := startSMTP(t, refusal)
		var logged bytes.Buffer
		err := send(t, mailer(srv.port, slog.New(slog.NewTextHandler(&logged, nil))),
			notify.Message{To: "weg@clb-limburg.be", Subject: "s", Body: "b", ID: "notification-9@rots"})

		var delivery *notify.DeliveryError
		if !errors.As(err, &delivery) {
			t.Fatalf("%d: error %v (%T), want a *notify.DeliveryError", c.code, err, err)
		}
		var smtpErr *textproto.Error
		if !errors.As(err, &smtpErr) || smtpErr.Code != c.code {
			t.Errorf("%d: error %v does not carry the server's code", c.code, err)
		} else if permanent := smtpErr.Code >= 500; permanent != c.permanent {
			t.Errorf("%d: permanent = %v", c.code, permanent)
		}
		if n := len(srv.received()); n != 0 {
			t.Errorf("%d: %d mails delivered", c.code, n)
		}
		if l := logged.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "message_id=notification-9@rots") || !strings.Contains(l, strconv.Itoa(c.code)) {
			t.Errorf("%d: logged %q, want a warning with the message ID and the code", c.code, l)
		}
	}
}

// No server at all: a DeliveryError that is not a refusal, so it is
// retried.
func TestMailServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	err = send(t, mailer(port, nil), notify.Message{To: "tandem@clb-limburg.be", Subject: "s", Body: "b", ID: "notification-10@rots"})
	var delivery *notify.DeliveryError
	var smtpErr *textproto.Error
	if !errors.As(err, &delivery) || errors.As(err, &smtpErr) {
		t.Errorf("error %v (%T), want a DeliveryError without an SMTP code", err, err)
	}
}

func TestMailerValidate(t *testing.T) {
	good := notify.Mailer{Host: "smtp.vlaanderen.be", Port: 587, From: "rots@vlaanderen.be", TLS: "starttls"}
	if err := good.Validate(); err != nil {
		t.Errorf("valid settings: %v", err)
	}
	bad := notify.Mailer{Port: 70000, From: "rots", TLS: "ssl"}
	err := bad.Validate()
	if err == nil {
		t.Fatal("no error for bad settings")
	}
	// Every problem at once.
	for _, want := range []string{"SMTP host is required", "SMTP port 70000", `SMTP sender "rots"`, `SMTP TLS "ssl"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func nextPart(t *testing.T, r *multipart.Reader) *multipart.Part {
	t.Helper()
	p, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
