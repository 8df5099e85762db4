// Command rotsctl is the command-line client of the ROTS roundtable API:
// submit a case, list and show cases, move a case through every stage, and
// the inbox, the access log, the dashboard and the signals to government.
// It speaks Dutch to people and JSON (-json) to scripts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one rotsctl command.
type command struct {
	name     string
	synopsis string // arguments and main flags, for the help
	summary  string // one line, Dutch
	run      func(*client, context.Context, []string) error
	offline  bool // needs no connection to the API
}

// commands in the order the help lists them; "" starts a group.
var commands = []command{
	{name: "", summary: "Aanmelden"},
	{"login", "-dev -role <rol> -region <regio> [-org …] [-email …] [-terminal]", "een token halen van rotsd dev; een bestand per identiteit", (*client).login, true},
	{"whoami", "", "als wie deze terminal werkt en waar het token staat", (*client).whoami, true},
	{name: "", summary: "Dossiers"},
	{"submit", "-region … -org … -alias … [-q]", "een dossier aanmelden; -q print enkel de referentie", (*client).submit, false},
	{"list", "[-region …] [-stage …] [-overdue] [-min-rung N] [-reference ROTS-…] [-open] [-query …] [-order urgency] [-q]", "dossiers, nieuwste eerst of naar urgentie", (*client).list, false},
	{"show", "<dossier>", "een dossier en zijn tijdlijn", (*client).show, false},
	{"intake", "<dossier> -decision accept|ask|decline …", "de intakebeslissing", (*client).intake, false},
	{"answer", "<dossier> -answer …", "de vraag van de tandem beantwoorden", (*client).answer, false},
	{"consult", "<dossier> -decision advice-only|table -advice …", "het consult vastleggen", (*client).consult, false},
	{"outcome", "<dossier> -offer … -agreement \"actie|organisatie|JJJJ-MM-DD[|persoon]\"", "het aanbod op maat en de afspraken van de overlegtafel", (*client).outcome, false},
	{"close", "<dossier> -reason … [-note …]", "een dossier in opvolging afsluiten", (*client).close, false},
	{"withdraw", "<dossier> -reason …", "een open dossier intrekken", (*client).withdraw, false},
	{"consent", "<dossier> -by young-person|parents", "vastleggen dat de toestemming werd ingetrokken", (*client).consent, false},
	{"export", "<dossier>", "alles wat over een dossier bewaard is, als JSON (inzageverzoek)", (*client).export, false},
	{name: "", summary: "Overlegtafel"},
	{"offers", "[-region …] [-theme …] [-age …] [zoekwoorden]", "de sociale kaart doorzoeken", (*client).offers, false},
	{"convene", "<dossier> -partner \"org|naam|e-mail|rol\" [-context parents|moeder]", "de overlegtafel samenroepen", (*client).convene, false},
	{"schedule", "<dossier> -at \"2027-01-12 14:00\" -location …", "de vergadering plannen of verplaatsen", (*client).schedule, false},
	{"attendance", "<dossier> -present 0 -present 2", "wie er was", (*client).attendance, false},
	{"gap", "<dossier> -theme … -age … -needed …", "een hiaat in het regionale aanbod vastleggen", (*client).gap, false},
	{"agreement", "<dossier> -index 0 -status done", "de stand van een afspraak", (*client).agreement, false},
	{"reconvene", "<dossier> -reason …", "een dossier in opvolging terug naar de tafel", (*client).reconvene, false},
	{name: "", summary: "Meldingen"},
	{"inbox", "[<e-mailadres>] [-unread] [-full]", "meldingen; zonder adres uw eigen inbox", (*client).inbox, false},
	{"read", "<melding>", "een melding als gelezen markeren", (*client).read, false},
	{name: "", summary: "Beheer en toezicht"},
	{"policy", "get|set <regio> [-intake-days N …]", "het escalatiebeleid van een regio", (*client).policy, false},
	{"audit", "-case <dossier> | -actor <wie>", "het toegangslogboek", (*client).audit, false},
	{name: "", summary: "Cijfers"},
	{"report", "[-region …] [-year 2026 | -from 2026-01 -to 2026-06]", "het dashboard van de managers", (*client).report, false},
	{"kernkwadrant", "[-region …] [-year 2026 | -from 2026-01 -to 2026-06]", "vraag en aanbod per thema en leeftijd", (*client).kernkwadrant, false},
	{"signal", "create|edit|approve|sent|export|list|show …", "signalen aan de overheid (rotsctl signal help)", (*client).signal, false},
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name != "" && c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprint(w, `rotsctl praat met ROTS roundtable.

Gebruik: rotsctl [-addr host:poort] [-json] <opdracht> [opties] [argumenten]
`)
	for _, c := range commands {
		if c.name == "" {
			fmt.Fprintf(w, "\n%s\n", c.summary)
			continue
		}
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Een dossier noemt u met zijn referentie (ROTS-1A2B3C4D, hoofdletters of
niet) of zijn naam (cases/<id>). Elke opdracht die iets verandert, neemt
-request-id: dezelfde request-ID doet het werk nooit twee keer.

Opties voor elke opdracht:
  -addr host:poort  het adres van de API (ROTS_ADDR, standaard 127.0.0.1:9090)
  -json             JSON voor scripts in plaats van tekst
  -h                de hulp bij een opdracht: rotsctl submit -h

Tokens: rotsctl login bewaart een token per identiteit; ROTS_TOKEN_FILE
houdt een terminal bij één identiteit, ROTS_TOKEN gaat voor alles (zie
rotsctl login -h).
`)
}

// dial connects to the API; tests replace it.
var dial = func(addr string) (grpc.ClientConnInterface, io.Closer, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, err
	}
	return conn, conn, nil
}

// run is rotsctl: it returns the exit code, 0 when all went well (help
// asked for included), 1 when the call failed, 2 when the command was
// given wrongly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("rotsctl", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.Usage = func() {}
	addr := global.String("addr", envOr("ROTS_ADDR", "127.0.0.1:9090"), "")
	asJSON := global.Bool("json", false, "")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		printError(stderr, errorContext{}, flagParseError(err))
		return 2
	}
	rest := global.Args()
	if len(rest) == 0 {
		usage(stderr)
		return 2
	}
	name, args := rest[0], rest[1:]
	if name == "help" {
		if len(args) == 0 {
			usage(stdout)
			return 0
		}
		// rotsctl help submit is rotsctl submit -h.
		name, args = args[0], append(args[1:], "-h")
	}
	cmd, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "rotsctl: onbekende opdracht %q. De opdrachten: rotsctl help\n", name)
		return 2
	}
	c := &client{out: stdout, err: stderr, json: *asJSON, addr: *addr, command: name}
	if !cmd.offline && !isHelp(args) {
		conn, closer, err := dial(*addr)
		if err != nil {
			printError(stderr, errorContext{command: name, addr: *addr}, err)
			return 1
		}
		defer closer.Close()
		c.connect(conn)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		var token string
		token, c.tokenSource = currentToken()
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
	}
	err := cmd.run(c, ctx, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		c.help(stdout, cmd)
		return 0
	}
	ec := errorContext{command: c.command, requestID: c.requestID, addr: *addr, tokenSource: c.tokenSource}
	ec.flagFor = flagNamer(c.command, c.fs, c.fieldFlag)
	printError(stderr, ec, err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// isHelp says whether the arguments ask for help, so that help needs no
// connection.
func isHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "--h":
			return true
		case "--":
			return false
		}
	}
	return len(args) > 0 && args[0] == "help"
}

type client struct {
	cases         rotsv1.CaseServiceClient
	admin         rotsv1.AdminServiceClient
	notifications rotsv1.NotificationServiceClient
	audits        rotsv1.AuditServiceClient
	tables        rotsv1.ConsultationServiceClient
	directory     rotsv1.DirectoryServiceClient
	reports       rotsv1.ReportServiceClient
	signals       rotsv1.SignalServiceClient

	out, err io.Writer
	json     bool
	addr     string

	// What the command being run set up, for its help and its errors.
	command     string
	fs          *flag.FlagSet
	helpText    string
	requestID   string
	tokenSource string
	// fieldFlag, when set, names the flag of a request field before the
	// command's table does (see flagNamer).
	fieldFlag func(field string) string
}

func (c *client) connect(conn grpc.ClientConnInterface) {
	c.cases = rotsv1.NewCaseServiceClient(conn)
	c.admin = rotsv1.NewAdminServiceClient(conn)
	c.notifications = rotsv1.NewNotificationServiceClient(conn)
	c.audits = rotsv1.NewAuditServiceClient(conn)
	c.tables = rotsv1.NewConsultationServiceClient(conn)
	c.directory = rotsv1.NewDirectoryServiceClient(conn)
	c.reports = rotsv1.NewReportServiceClient(conn)
	c.signals = rotsv1.NewSignalServiceClient(conn)
}

// flags starts the flags of a command (or a subcommand like "signal
// create"): every command takes -json, and the flag package prints
// nothing itself, so that each error is shown once.
func (c *client) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.BoolVar(&c.json, "json", c.json, "JSON voor scripts in plaats van tekst")
	c.fs, c.command = fs, name
	return fs
}

// requestIDFlag defines -request-id; its default, a new UUID, is drawn
// after parsing (requestIDOr), so that the help shows no random value.
func requestIDFlag(fs *flag.FlagSet) *string {
	return fs.String("request-id", "", "sleutel om veilig opnieuw te proberen: dezelfde sleutel doet het werk één keer; zonder deze optie telkens een nieuwe")
}

// requestIDOr returns the request ID given, or a new one, and remembers it
// for the error message.
func (c *client) requestIDOr(id string) string {
	if id == "" {
		id = uuid.NewString()
	}
	c.requestID = id
	return id
}

// help prints the help of the command that was being parsed.
func (c *client) help(w io.Writer, cmd command) {
	name := c.command
	if c.fs == nil || c.helpText != "" {
		fmt.Fprint(w, c.helpText)
		return
	}
	if name == cmd.name {
		fmt.Fprintf(w, "Gebruik: rotsctl %s %s\n\n%s.\n", name, cmd.synopsis, upperFirst(cmd.summary))
	} else if sub, ok := subcommands[name]; ok {
		fmt.Fprintf(w, "Gebruik: rotsctl %s %s\n\n%s.\n", name, sub[0], upperFirst(sub[1]))
	} else {
		fmt.Fprintf(w, "Gebruik: rotsctl %s [opties]\n", name)
	}
	if extra := commandNotes[name]; extra != "" {
		fmt.Fprintf(w, "\n%s", extra)
	}
	fmt.Fprintln(w, "\nOpties:")
	printFlags(w, c.fs)
}

// printFlags lists a command's flags in Dutch, like flag.PrintDefaults.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		switch kind {
		case "string", "value":
			kind = "tekst"
		case "int":
			kind = "getal"
		}
		head := "  -" + f.Name
		if kind != "" {
			head += " " + kind
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "[]" {
			text += fmt.Sprintf(" (standaard %s)", def)
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", head, text)
	})
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// subcommands are the synopsis and summary of the commands within a
// command.
var subcommands = map[string][2]string{
	"policy get":     {"<regio>", "het escalatiebeleid van een regio"},
	"policy set":     {"<regio> [opties]", "het escalatiebeleid van een regio veranderen: enkel wat u opgeeft, de rest blijft"},
	"signal create":  {"-region … -year 2026 | -from … -to … -title … -text …|-text-file … -figure … [-q]", "een signaal opstellen, als concept"},
	"signal edit":    {"<signaal> [opties]", "een concept wijzigen: enkel wat u opgeeft"},
	"signal approve": {"<signaal> [-etag 3]", "een concept goedkeuren; niet uw eigen (vier ogen)"},
	"signal sent":    {"<signaal> -recipient …", "vastleggen dat een goedgekeurd signaal verstuurd is"},
	"signal export":  {"<signaal> -format html|csv [-o bestand]", "een signaal bewaren als HTML of CSV"},
	"signal list":    {"[-region …] [-state …]", "signalen, nieuwste eerst"},
	"signal show":    {"<signaal>", "een signaal met zijn tekst, cijfers en etag"},
}

// commandNotes are what a command's help says beyond its flags.
var commandNotes = map[string]string{
	"login": `Een token per identiteit (rol, regio, organisatie, e-mail) in
<config>/rots/tokens/. Welk token een opdracht gebruikt:
  1. ROTS_TOKEN, het token zelf (van een echte identiteitsprovider);
  2. het bestand in ROTS_TOKEN_FILE: deze terminal, wat andere terminals ook doen;
  3. de laatste login in een terminal zonder ROTS_TOKEN_FILE.
Twee terminals als twee mensen: in elk
  eval "$(rotsctl login -dev -terminal -role … -region …)"
of zet de export-regel die login print.
`,
	"show": "Een dossier noemt u met zijn referentie (ROTS-1A2B3C4D) of zijn naam (cases/<id>).\n",
	"list": "De werkbak van de tandem: rotsctl list -order urgency -open. Een manager zoekt met -reference,\nniet met -query: die zoekt ook op de jongere, die een manager niet ziet.\n\n" +
		"-q print enkel de namen (cases/<id>), een per regel: wat partners en auditors nodig hebben,\ndie een referentie niet mogen opzoeken.\n",
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
