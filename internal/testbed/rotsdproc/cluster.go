package rotsdproc

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/encryption"
)

// Options says how to run the cluster.
type Options struct {
	// Bin is the rotsd binary (see Build).
	Bin string
	// Dir holds the Temporal server's SQLite file, the keys and the logs.
	Dir string
	// DatabaseURL is the PostgreSQL database rotsd uses.
	DatabaseURL string
	// DeadlineDay shortens every working day of every deadline (rotsd
	// -deadline-day); 0 keeps real working days.
	DeadlineDay time.Duration
	// TemporalPostgres, when set, runs the Temporal server on PostgreSQL in
	// this database (rotsd temporal -persistence postgres) with
	// HistoryShards shards, instead of on a SQLite file in Dir.
	TemporalPostgres string
	HistoryShards    int
	// APIs and Workers are how many of each run; 0 means one.
	APIs, Workers int
	// ServeBin, when set, is the rotsd of the APIs and workers instead of
	// Bin: an older one, for a rolling upgrade.
	ServeBin string
}

// Cluster is a Temporal server, APIs and workers, each a process of its
// own, with the development issuer in this process to sign tokens. API,
// Worker and APIAddr are the first of each.
type Cluster struct {
	Temporal, API, Worker *Proc
	APIs, Workers         []*Proc
	TemporalAddr          string
	APIAddr               string
	APIAddrs              []string
	Codec                 encryption.Codec
	issuer                *devissuer.Issuer
	issuerSrv             *http.Server
	// serve is the arguments of `rotsd serve` in a role, for processes
	// started later (StartWorker, StartAPI, StartWeb).
	serve func(role, listen string) []string
	opts  Options
	webs  []*Proc
}

// StartCluster starts the three processes and waits until each is ready.
func StartCluster(ctx context.Context, o Options) (_ *Cluster, err error) {
	c := &Cluster{opts: o}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	keyFile := filepath.Join(o.Dir, "payload-keys")
	keys, err := encryption.LoadKeyring(keyFile, true)
	if err != nil {
		return nil, err
	}
	c.Codec = encryption.Codec{Keys: keys}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if c.issuer, c.issuerSrv, err = devissuer.Serve(l, "rots", filepath.Join(o.Dir, "issuer-key.pem")); err != nil {
		return nil, err
	}

	temporalArgs := []string{"temporal", "-data-dir", o.Dir}
	temporalPort, err := FreePortRange(8)
	if o.TemporalPostgres != "" {
		temporalPort, err = freeLowPortRange(9)
		temporalArgs = []string{"temporal", "-persistence", "postgres", "-temporal-database-url", o.TemporalPostgres,
			"-history-shards", strconv.Itoa(max(o.HistoryShards, 1))}
	}
	if err != nil {
		return nil, err
	}
	c.TemporalAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(temporalPort))
	if c.Temporal, err = Start(o.Bin, o.Dir, "temporal", append(temporalArgs, "-temporal-port", strconv.Itoa(temporalPort))...); err != nil {
		return nil, err
	}
	if err := c.WaitTemporal(ctx); err != nil {
		return nil, err
	}

	c.serve = func(role, listen string) []string {
		return []string{"serve", "-role", role, "-listen", listen, "-database-url", o.DatabaseURL,
			"-temporal-address", c.TemporalAddr, "-oidc-issuer", c.issuer.URL, "-key-file", keyFile,
			"-deadline-day", o.DeadlineDay.String()}
	}
	serveBin := cmp.Or(o.ServeBin, o.Bin)
	for range max(o.Workers, 1) {
		if _, err := c.StartWorker(ctx, serveBin); err != nil {
			return nil, err
		}
	}
	c.Worker = c.Workers[0]
	for i := range max(o.APIs, 1) {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		api, err := Start(serveBin, o.Dir, numbered("api", i), c.serve("api", addr)...)
		if err != nil {
			return nil, err
		}
		c.APIs, c.APIAddrs = append(c.APIs, api), append(c.APIAddrs, addr)
	}
	c.API, c.APIAddr = c.APIs[0], c.APIAddrs[0]
	if err := c.WaitAPI(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// numbered names the i-th process of a role: "api", "api2", …
func numbered(role string, i int) string {
	if i == 0 {
		return role
	}
	return role + strconv.Itoa(i+1)
}

// WaitTemporal waits until the Temporal server answers a health check.
func (c *Cluster) WaitTemporal(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return c.Temporal.waitUntil(ctx, "answering", 100*time.Millisecond, func() error {
		tc, err := client.DialContext(ctx, client.Options{HostPort: c.TemporalAddr, Logger: quiet{}})
		if err == nil {
			tc.Close()
		}
		return err
	})
}

// WaitWorker waits until the worker process (in its latest run) says it
// is ready: its worker polls.
func (c *Cluster) WaitWorker(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return c.Worker.WaitLog(ctx, ReadyLine)
}

// ReadyLine is what rotsd logs once everything it runs listens and its
// worker polls.
const ReadyLine = `"msg":"rotsd ready"`

// WaitAPI waits until every API answers its health check with SERVING.
func (c *Cluster) WaitAPI(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for i, addr := range c.APIAddrs {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		err = c.APIs[i].waitUntil(ctx, "serving", 50*time.Millisecond, func() error {
			resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			if status.Code(err) == codes.Unimplemented {
				return nil // an older rotsd, without the health service, answers
			}
			if err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
				err = fmt.Errorf("health: %s", resp.GetStatus())
			}
			return err
		})
		conn.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Dial opens a gRPC connection to the APIs: with several, calls go round
// robin over them, and a call to one that is gone goes to another.
func (c *Cluster) Dial() (*grpc.ClientConn, error) {
	if len(c.APIAddrs) < 2 {
		return grpc.NewClient(c.APIAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	r := manual.NewBuilderWithScheme("rotsapi")
	var addrs []resolver.Address
	for _, a := range c.APIAddrs {
		addrs = append(addrs, resolver.Address{Addr: a})
	}
	r.InitialState(resolver.State{Addresses: addrs})
	return grpc.NewClient(r.Scheme()+":///api", grpc.WithResolvers(r), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"round_robin":{}}]}`))
}

// Token is a bearer token for a role in a region (and, for submitters and
// partners, an organisation), valid for a day.
func (c *Cluster) Token(role, region, org string) string {
	email := role + "." + region + "@rots.test"
	tok, err := c.issuer.Token(devissuer.Claims{Subject: email, Email: email, Role: role, Region: region, Organisation: org}, 24*time.Hour)
	if err != nil {
		panic(err) // signing with a key we hold does not fail
	}
	return tok
}

// IssuerURL is the development issuer's URL: the issuer of Token's
// tokens, and where a web application signs people in.
func (c *Cluster) IssuerURL() string { return c.issuer.URL }

// WithToken makes calls with ctx carry the bearer token.
func WithToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// TemporalClient is a client of the cluster's Temporal server that reads
// the encrypted payloads.
func (c *Cluster) TemporalClient(ctx context.Context) (client.Client, error) {
	return client.DialContext(ctx, client.Options{HostPort: c.TemporalAddr, DataConverter: c.Codec.DataConverter(), Logger: quiet{}})
}

// Close stops every process that runs, the APIs and workers first.
func (c *Cluster) Close() {
	for _, p := range append(append(append(slices.Clone(c.webs), c.APIs...), c.Workers...), c.Temporal) {
		if p != nil && p.Running() {
			p.Stop()
		}
	}
	if c.issuerSrv != nil {
		c.issuerSrv.Close()
	}
}

// quiet drops the Temporal client's own logging.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// SampleCase is a valid, fictional submission in Limburg by "Vrij CLB
// Limburg", for load and fault tests.
func SampleCase(requestID string) *rotsv1.SubmitCaseRequest {
	return &rotsv1.SubmitCaseRequest{
		RequestId:              requestID,
		Region:                 rotsv1.Region_REGION_LIMBURG,
		SubmittingOrganisation: &rotsv1.Organisation{Name: SampleOrg, Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		Contact:                &rotsv1.ContactPerson{Name: "Test Contact", Email: "contact@vclb-limburg.test"},
		YoungPerson: &rotsv1.YoungPerson{
			Alias: "T.", BirthYear: 2012, BirthMonth: 5, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR,
			Grade: 1, School: "Testschool", Municipality: "Hasselt",
		},
		Blocked:     "Thuiszitter sinds september",
		Tried:       []string{"Trajectbegeleiding CLB"},
		Themes:      []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE},
		Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
	}
}

// SampleOrg is the organisation of SampleCase.
const SampleOrg = "Vrij CLB Limburg"
