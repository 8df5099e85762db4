// Command rotsctl is a command-line client for the ROTS roundtable API:
// submit a case, list and show cases, and move a case through every stage.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := realMain(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			printError(os.Stderr, err)
		}
		os.Exit(1)
	}
}

const usage = `usage: rotsctl [-addr host:port] <command> [flags] [args]

commands:
  login      get a token: rotsctl login -dev -role coordinator -region limburg
  submit     submit a case (rotsctl submit -h for the fields)
  list       list cases, newest first
  show       show a case and its timeline
  intake     decide the intake: accept, ask or decline
  answer     answer the tandem's question
  consult    record the consult: advice-only or table
  offers     search the partner directory: offers -region limburg -theme mental-health wachtlijst
  convene    invite the table: convene <case> -partner "org|name|email|role" -context parents|moeder
  schedule   set or move the meeting: schedule <case> -at "2027-01-12 14:00" -location …
  outcome    record a table's tailored offer and agreements
  attendance who came: attendance <case> -present 0 -present 2
  gap        record a gap in the regional offer: gap <case> -theme … -age … -needed …
  agreement  set an agreement's status: agreement <case> -index 0 -status done
  reconvene  bring a case in follow-up back to the table
  close      close a case in follow-up
  withdraw   withdraw an open case
  policy     get or set a region's escalation policy: policy get limburg
  inbox      list the notifications of an e-mail address
  read       mark a notification read
  export     everything held about a case, as JSON
  consent    record that consent was withdrawn: consent <case> -by parents
  audit      the access log: audit -case <case> | audit -actor <name>
  report     the managers' dashboard: report -region limburg -year 2026 (or -from 2026-01 -to 2026-06)
  signal     signals to government: signal create|edit|approve|sent|export|list|show (rotsctl signal for help)

A case is named by "cases/<id>" or just its id. Every command that changes
a case takes -request-id; the same request ID never does the work twice.
`

func realMain(ctx context.Context, args []string, out io.Writer) error {
	global := flag.NewFlagSet("rotsctl", flag.ContinueOnError)
	global.Usage = func() { fmt.Fprint(global.Output(), usage); global.PrintDefaults() }
	addr := global.String("addr", envOr("ROTS_ADDR", "127.0.0.1:9090"), "API address (ROTS_ADDR)")
	if err := global.Parse(args); err != nil {
		return err
	}
	if global.NArg() == 0 {
		global.Usage()
		return flag.ErrHelp
	}
	if global.Arg(0) == "login" {
		return login(ctx, global.Args()[1:])
	}
	cmd, ok := commands[global.Arg(0)]
	if !ok {
		global.Usage()
		return fmt.Errorf("unknown command %q", global.Arg(0))
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if t := token(); t != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+t)
	}
	return cmd(&client{rotsv1.NewCaseServiceClient(conn), rotsv1.NewAdminServiceClient(conn), rotsv1.NewNotificationServiceClient(conn), rotsv1.NewAuditServiceClient(conn),
		rotsv1.NewConsultationServiceClient(conn), rotsv1.NewDirectoryServiceClient(conn), rotsv1.NewReportServiceClient(conn),
		rotsv1.NewSignalServiceClient(conn), out},
		ctx, global.Args()[1:])
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
	out           io.Writer
}

var commands = map[string]func(*client, context.Context, []string) error{
	"submit":     (*client).submit,
	"list":       (*client).list,
	"show":       (*client).show,
	"intake":     (*client).intake,
	"answer":     (*client).answer,
	"consult":    (*client).consult,
	"outcome":    (*client).outcome,
	"close":      (*client).close,
	"withdraw":   (*client).withdraw,
	"policy":     (*client).policy,
	"inbox":      (*client).inbox,
	"read":       (*client).read,
	"export":     (*client).export,
	"audit":      (*client).audit,
	"consent":    (*client).consent,
	"convene":    (*client).convene,
	"schedule":   (*client).schedule,
	"reconvene":  (*client).reconvene,
	"agreement":  (*client).agreement,
	"offers":     (*client).offers,
	"attendance": (*client).attendance,
	"gap":        (*client).gap,
	"report":     (*client).report,
	"signal":     (*client).signal,
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// caseName accepts "cases/<id>" or a bare id.
func caseName(arg string) string { return resourceName("cases", arg) }

// resourceName accepts "<collection>/<id>" or a bare id.
func resourceName(collection, arg string) string {
	if strings.HasPrefix(arg, collection+"/") {
		return arg
	}
	return collection + "/" + arg
}

// enumValue parses a flag like "youth-care" into the enum value named
// PREFIX_YOUTH_CARE.
func enumValue(values map[string]int32, prefix, flagName, s string) (int32, error) {
	key := prefix + strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(s))
	v, ok := values[key]
	if !ok || v == 0 {
		var names []string
		for name, n := range values {
			if n != 0 {
				names = append(names, strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, prefix), "_", "-")))
			}
		}
		return 0, fmt.Errorf("-%s %q: must be one of %s", flagName, s, strings.Join(names, ", "))
	}
	return v, nil
}

func (c *client) print(m proto.Message) error {
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.out, string(b))
	return err
}

func (c *client) printCase(cs *rotsv1.Case, err error) error {
	if err != nil {
		return err
	}
	return c.print(cs)
}

// printError shows a gRPC error with its field violations, one per line.
func printError(w io.Writer, err error) {
	st, ok := status.FromError(err)
	if !ok {
		fmt.Fprintln(w, "rotsctl:", err)
		return
	}
	fmt.Fprintf(w, "rotsctl: %s: %s\n", st.Code(), st.Message())
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fmt.Fprintf(w, "  %s: %s\n", v.GetField(), v.GetDescription())
			}
		}
	}
}

func (c *client) list(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	region := fs.String("region", "", "only this region")
	stage := fs.String("stage", "", "only this stage, e.g. intake, follow-up")
	org := fs.String("org", "", "only this submitting organisation")
	size := fs.Int("page-size", 20, "cases per page")
	token := fs.String("page-token", "", "token from the previous page")
	overdue := fs.Bool("overdue", false, "only cases with a passed deadline")
	minRung := fs.Int("min-rung", 0, "only cases on this rung of the ladder or higher (1-4)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := &rotsv1.ListCasesRequest{PageSize: int32(*size), PageToken: *token, SubmittingOrganisation: *org, OverdueOnly: *overdue, MinRung: int32(*minRung)}
	if *region != "" {
		v, err := enumValue(rotsv1.Region_value, "REGION_", "region", *region)
		if err != nil {
			return err
		}
		req.Region = rotsv1.Region(v)
	}
	if *stage != "" {
		v, err := enumValue(rotsv1.Stage_value, "STAGE_", "stage", *stage)
		if err != nil {
			return err
		}
		req.Stage = rotsv1.Stage(v)
	}
	resp, err := c.cases.ListCases(ctx, req)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREGION\tSTAGE\tRUNG\tORGANISATION\tSUBMITTED")
	for _, cs := range resp.GetCases() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", cs.GetName(),
			strings.TrimPrefix(cs.GetRegion().String(), "REGION_"), strings.TrimPrefix(cs.GetStage().String(), "STAGE_"), cs.GetRung(),
			cs.GetSubmittingOrganisation().GetName(), cs.GetSubmitTime().AsTime().Local().Format("2006-01-02 15:04"))
	}
	if resp.GetNextPageToken() != "" {
		fmt.Fprintf(tw, "next page: -page-token %s\n", resp.GetNextPageToken())
	}
	return tw.Flush()
}

func (c *client) show(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: rotsctl show <case>")
	}
	resp, err := c.cases.GetCase(ctx, &rotsv1.GetCaseRequest{Name: caseName(args[0])})
	if err != nil {
		return err
	}
	if err := c.print(resp.GetCase()); err != nil {
		return err
	}
	fmt.Fprintln(c.out, "\ntimeline:")
	token := ""
	for {
		ev, err := c.cases.ListCaseEvents(ctx, &rotsv1.ListCaseEventsRequest{Parent: caseName(args[0]), PageSize: 100, PageToken: token})
		if err != nil {
			return err
		}
		for _, e := range ev.GetEvents() {
			fmt.Fprintf(c.out, "  %s  %-22s %-10s → %-10s %s: %s\n", e.GetEventTime().AsTime().Local().Format("2006-01-02 15:04"),
				e.GetKind(), strings.TrimPrefix(e.GetFromStage().String(), "STAGE_"), strings.TrimPrefix(e.GetToStage().String(), "STAGE_"),
				e.GetActor(), e.GetSummary())
		}
		if token = ev.GetNextPageToken(); token == "" {
			return nil
		}
	}
}
