// Package helm holds the Helm chart of rotsd (rotsd/) and the values for
// Temporal's chart; its tests lint and render the chart with helm, decode
// every object strictly into its Kubernetes type, and run what the chart
// runs against a rotsd built from this tree.
package helm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// helm is the helm binary on PATH. .ci/run installs it; elsewhere a
// missing helm skips, saying so.
func helm(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("helm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("helm is missing; .ci/run installs it (go install helm.sh/helm/v3/cmd/helm)")
		}
		t.Skip("helm is not installed here (CI installs it: go install helm.sh/helm/v3/cmd/helm)")
	}
	return path
}

// serviceMonitor is the part of monitoring.coreos.com/v1 ServiceMonitor the
// chart writes, decoded strictly: a field the Operator does not have fails.
type serviceMonitor struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		NamespaceSelector struct {
			MatchNames []string `json:"matchNames"`
		} `json:"namespaceSelector"`
		Selector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		TargetLabels []string `json:"targetLabels"`
		Endpoints    []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// rendered is a helm template's output, by kind.
type rendered struct {
	deployments     map[string]*appsv1.Deployment // by component
	services        map[string]*corev1.Service
	pdbs            map[string]*policyv1.PodDisruptionBudget
	hpas            map[string]*autoscalingv2.HorizontalPodAutoscaler
	networkPolicies map[string]*networkingv1.NetworkPolicy
	ingresses       []*networkingv1.Ingress
	jobs            []*batchv1.Job
	serviceMonitors []*serviceMonitor
}

// decode splits helm's output into documents and decodes each strictly
// into the type its apiVersion and kind name.
func decode(t *testing.T, out []byte) *rendered {
	t.Helper()
	r := &rendered{
		deployments:     map[string]*appsv1.Deployment{},
		services:        map[string]*corev1.Service{},
		pdbs:            map[string]*policyv1.PodDisruptionBudget{},
		hpas:            map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		networkPolicies: map[string]*networkingv1.NetworkPolicy{},
	}
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(out), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name   string            `json:"name"`
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("document %q: %v", doc, err)
		}
		component := head.Metadata.Labels["app.kubernetes.io/component"]
		var obj any
		switch head.APIVersion + " " + head.Kind {
		case "apps/v1 Deployment":
			d := &appsv1.Deployment{}
			r.deployments[component], obj = d, d
		case "v1 Service":
			s := &corev1.Service{}
			r.services[component], obj = s, s
		case "policy/v1 PodDisruptionBudget":
			p := &policyv1.PodDisruptionBudget{}
			r.pdbs[component], obj = p, p
		case "autoscaling/v2 HorizontalPodAutoscaler":
			h := &autoscalingv2.HorizontalPodAutoscaler{}
			r.hpas[component], obj = h, h
		case "networking.k8s.io/v1 NetworkPolicy":
			n := &networkingv1.NetworkPolicy{}
			r.networkPolicies[component], obj = n, n
		case "networking.k8s.io/v1 Ingress":
			i := &networkingv1.Ingress{}
			r.ingresses, obj = append(r.ingresses, i), i
		case "batch/v1 Job":
			j := &batchv1.Job{}
			r.jobs, obj = append(r.jobs, j), j
		case "monitoring.coreos.com/v1 ServiceMonitor":
			m := &serviceMonitor{}
			r.serviceMonitors, obj = append(r.serviceMonitors, m), m
		case "v1 Secret", "v1 ConfigMap":
			t.Errorf("%s %s: the chart holds no secrets or settings files; it names Secrets made beside it", head.Kind, head.Metadata.Name)
			continue
		default:
			t.Errorf("%s %s %s: a kind this test does not decode; add it", head.APIVersion, head.Kind, head.Metadata.Name)
			continue
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Errorf("%s %s: %v", head.Kind, head.Metadata.Name, err)
		}
	}
	return r
}

// render lints the chart and renders it with the values files given.
func render(t *testing.T, helmBin string, valuesFiles ...string) []byte {
	t.Helper()
	var args []string
	for _, f := range valuesFiles {
		args = append(args, "-f", f)
	}
	if out, err := exec.Command(helmBin, append([]string{"lint", "--strict", "rotsd"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("helm lint %v: %v\n%s", valuesFiles, err, out)
	}
	cmd := exec.Command(helmBin, append([]string{"template", "rots", "rotsd", "--namespace", "rots"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", valuesFiles, err, stderr.String())
	}
	return out
}

// secretish are the variables that must come from a Secret, never a value.
var secretish = regexp.MustCompile(`DATABASE_URL|PASSWORD|SECRET|API_KEY|TOKEN`)

func TestChart(t *testing.T) {
	helmBin := helm(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	rotsd, err := rotsdproc.Build(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	noHTTP := filepath.Join(dir, "no-http.yaml")
	if err := os.WriteFile(noHTTP, []byte("api:\n  http:\n    enabled: false\n    ingress:\n      enabled: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		values     []string
		production bool
		httpAPI    bool // the API's JSON over HTTP is on
	}{
		{name: "defaults", httpAPI: true},
		{name: "production", values: []string{"rotsd/values-production.yaml"}, production: true, httpAPI: true},
		// Off, the API's HTTP ingress renders nothing even when switched on.
		{name: "no HTTP API", values: []string{noHTTP}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := decode(t, render(t, helmBin, tc.values...))
			if t.Failed() {
				return
			}
			for _, role := range []string{"api", "worker", "web"} {
				d := r.deployments[role]
				if d == nil {
					t.Fatalf("no Deployment for %s", role)
				}
				checkPod(t, role, &d.Spec.Template.Spec, rotsd)
				checkService(t, role, r.services[role], &d.Spec.Template, tc.httpAPI)
				if p := r.pdbs[role]; p == nil || p.Spec.MinAvailable == nil || p.Spec.MinAvailable.IntValue() < 1 {
					t.Errorf("%s: no PodDisruptionBudget keeping a pod", role)
				}
				checkNetworkPolicy(t, role, r.networkPolicies[role], d, tc.httpAPI)
				if s := d.Spec.Strategy.RollingUpdate; s == nil || s.MaxUnavailable == nil || s.MaxUnavailable.IntValue() != 0 {
					t.Errorf("%s: a rolling update may stop a pod before its successor is ready", role)
				}
			}
			checkMigration(t, r.jobs, rotsd)
			for _, role := range []string{"api", "web"} {
				h := r.hpas[role]
				if tc.production != (h != nil) {
					t.Errorf("%s: HorizontalPodAutoscaler %v, want one only in production", role, h != nil)
				}
				if h != nil {
					if h.Spec.ScaleTargetRef.Name != r.deployments[role].Name || r.deployments[role].Spec.Replicas != nil {
						t.Errorf("%s: the autoscaler scales %s; the Deployment sets replicas %v", role, h.Spec.ScaleTargetRef.Name, r.deployments[role].Spec.Replicas)
					}
				}
			}
			if tc.production {
				checkProduction(t, r)
			} else if len(r.serviceMonitors)+len(r.ingresses) != 0 {
				t.Errorf("defaults render %d ServiceMonitors and %d Ingresses; both are behind switches", len(r.serviceMonitors), len(r.ingresses))
			}
		})
	}
}

// checkPod: non-root, read-only, no capabilities, the probes on the
// health port, secrets by reference, and flags rotsd has.
func checkPod(t *testing.T, role string, pod *corev1.PodSpec, rotsd string) {
	t.Helper()
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers", role, len(pod.Containers))
	}
	c := pod.Containers[0]
	nonRoot(t, role, pod, &c)
	if !strings.HasPrefix(strings.Join(c.Args, " "), "serve -role="+role+" ") {
		t.Errorf("%s: args %q do not run rotsd serve -role=%s", role, c.Args, role)
	}
	health := flagValue(c.Args, "-health-listen")
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		want := map[string]string{"liveness": "/healthz", "readiness": "/readyz"}[name]
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != want {
			t.Errorf("%s: %s probe %+v, want GET %s", role, name, p, want)
			continue
		}
		if port := containerPort(&c, p.HTTPGet.Port.String()); port == 0 || !strings.HasSuffix(health, fmt.Sprintf(":%d", port)) {
			t.Errorf("%s: %s probe on port %s (%d), rotsd's -health-listen is %q", role, name, p.HTTPGet.Port.String(), port, health)
		}
	}
	// The port named http is where the role serves HTTP: the web
	// application, or the API's JSON over HTTP.
	listen := flagValue(c.Args, map[string]string{"api": "-http-listen", "web": "-web-listen"}[role])
	if port := containerPort(&c, "http"); port != 0 && !strings.HasSuffix(listen, fmt.Sprintf(":%d", port)) || port == 0 && listen != "" {
		t.Errorf("%s: the http port %d is not rotsd's listen address %q", role, port, listen)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: resources %+v: want a CPU request and a memory limit", role, c.Resources)
	}
	checkSecretEnv(t, role, c.Env)
	// The key file is in a volume from a Secret.
	keyFile := flagValue(c.Args, "-key-file")
	if !fromSecretVolume(pod, &c, keyFile) {
		t.Errorf("%s: -key-file %q is not in a volume from a Secret", role, keyFile)
	}
	// Every flag and environment value parses: rotsd reads them all before
	// it answers -h, and fails on a flag it does not have.
	cmd := exec.Command(rotsd, append(append([]string{}, c.Args...), "-h")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for _, e := range c.Env {
		cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
	}
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "Usage of rotsd serve") || strings.Contains(string(out), "flag provided but not defined") || strings.Contains(string(out), "invalid value") {
		t.Errorf("%s: rotsd %v -h:\n%s", role, c.Args, out)
	}
}

// nonRoot: the pod and its container run as a non-root user with a
// read-only root filesystem and no capabilities.
func nonRoot(t *testing.T, what string, pod *corev1.PodSpec, c *corev1.Container) {
	t.Helper()
	ps, cs := pod.SecurityContext, c.SecurityContext
	if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Errorf("%s: pod security context %+v: want runAsNonRoot and a non-zero runAsUser", what, ps)
	}
	if cs == nil || cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem ||
		cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation ||
		cs.Capabilities == nil || len(cs.Capabilities.Drop) != 1 || cs.Capabilities.Drop[0] != "ALL" || len(cs.Capabilities.Add) != 0 ||
		cs.RunAsUser != nil && *cs.RunAsUser == 0 {
		t.Errorf("%s: container security context %+v: want read-only root, no privilege escalation, ALL capabilities dropped", what, cs)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a service account token rotsd does not use", what)
	}
}

// checkSecretEnv: a variable that holds a secret comes from a Secret.
func checkSecretEnv(t *testing.T, what string, env []corev1.EnvVar) {
	t.Helper()
	var db bool
	for _, e := range env {
		if !secretish.MatchString(e.Name) {
			continue
		}
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("%s: %s is not taken from a Secret", what, e.Name)
		}
		db = db || e.Name == "DATABASE_URL"
	}
	if !db {
		t.Errorf("%s: no DATABASE_URL", what)
	}
}

// checkService: the role's Service selects its pods and targets ports
// they have, /metrics among them, and the API's JSON over HTTP when on.
func checkService(t *testing.T, role string, s *corev1.Service, tmpl *corev1.PodTemplateSpec, httpAPI bool) {
	t.Helper()
	if s == nil {
		t.Errorf("%s: no Service", role)
		return
	}
	for k, v := range s.Spec.Selector {
		if tmpl.Labels[k] != v {
			t.Errorf("%s: the Service selects %s=%s, the pods have %q", role, k, v, tmpl.Labels[k])
		}
	}
	names := map[string]bool{}
	for _, p := range s.Spec.Ports {
		names[p.Name] = true
		if containerPort(&tmpl.Spec.Containers[0], p.TargetPort.String()) == 0 {
			t.Errorf("%s: the Service's port %s targets %s, which the pod does not have", role, p.Name, p.TargetPort.String())
		}
	}
	want := map[string]string{"api": "grpc", "web": "http", "worker": "metrics"}[role]
	if !names[want] || !names["metrics"] {
		t.Errorf("%s: Service ports %v, want %s and metrics", role, names, want)
	}
	if role == "api" && names["http"] != httpAPI {
		t.Errorf("api: Service ports %v; JSON over HTTP on: %v", names, httpAPI)
	}
	metrics := flagValue(tmpl.Spec.Containers[0].Args, "-metrics-listen")
	if port := containerPort(&tmpl.Spec.Containers[0], "metrics"); port == 0 || !strings.HasSuffix(metrics, fmt.Sprintf(":%d", port)) {
		t.Errorf("%s: the metrics port %d is not rotsd's -metrics-listen %q", role, port, metrics)
	}
}

// checkNetworkPolicy: the role's policy selects its pods, limits both
// directions, lets Prometheus reach /metrics from the monitoring namespace,
// lets the web application (only) reach the API, and the ingress
// controller's namespace reach the web application and, when on, the API's
// JSON over HTTP.
func checkNetworkPolicy(t *testing.T, role string, np *networkingv1.NetworkPolicy, d *appsv1.Deployment, httpAPI bool) {
	t.Helper()
	if np == nil {
		t.Errorf("%s: no NetworkPolicy", role)
		return
	}
	for k, v := range np.Spec.PodSelector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("%s: the NetworkPolicy selects %s=%s, not these pods", role, k, v)
		}
	}
	if len(np.Spec.PolicyTypes) != 2 {
		t.Errorf("%s: policy types %v, want Ingress and Egress", role, np.Spec.PolicyTypes)
	}
	var metrics, fromWeb, fromIngress bool
	for _, rule := range np.Spec.Ingress {
		if len(rule.From) == 0 {
			t.Errorf("%s: an ingress rule without from admits everyone", role)
		}
		for _, p := range rule.Ports {
			for _, f := range rule.From {
				if p.Port.String() == "metrics" && f.NamespaceSelector != nil && f.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "" {
					metrics = true
				}
				if p.Port.String() == "grpc" && f.PodSelector != nil && f.PodSelector.MatchLabels["app.kubernetes.io/component"] == "web" {
					fromWeb = true
				}
				if p.Port.String() == "http" && f.NamespaceSelector != nil && f.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "ingress-nginx" {
					fromIngress = true
				}
			}
		}
	}
	if !metrics {
		t.Errorf("%s: Prometheus may not reach /metrics", role)
	}
	if fromWeb != (role == "api") {
		t.Errorf("%s: web may reach it over gRPC: %v", role, fromWeb)
	}
	if want := role == "web" || role == "api" && httpAPI; fromIngress != want {
		t.Errorf("%s: the ingress controller may reach its http port: %v, want %v", role, fromIngress, want)
	}
	if fromIngress && containerPort(&d.Spec.Template.Spec.Containers[0], "http") == 0 {
		t.Errorf("%s: the policy admits the port http, which the pod does not have", role)
	}
	for _, rule := range np.Spec.Egress {
		if len(rule.To) == 0 {
			t.Errorf("%s: an egress rule without to lets it reach anything", role)
		}
	}
}

// checkMigration: one Job, a pre-install and pre-upgrade hook, running
// rotsd migrate; run here as the Job would, it migrates an empty database.
func checkMigration(t *testing.T, jobs []*batchv1.Job, rotsd string) {
	t.Helper()
	if len(jobs) != 1 {
		t.Fatalf("%d Jobs, want the migration", len(jobs))
	}
	j := jobs[0]
	hooks := strings.Split(j.Annotations["helm.sh/hook"], ",")
	if len(hooks) != 2 || hooks[0] != "pre-install" || hooks[1] != "pre-upgrade" {
		t.Errorf("migration Job hook %q, want pre-install,pre-upgrade", j.Annotations["helm.sh/hook"])
	}
	pod := &j.Spec.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("migration restart policy %q", pod.RestartPolicy)
	}
	c := pod.Containers[0]
	nonRoot(t, "migration", pod, &c)
	checkSecretEnv(t, "migration", c.Env)
	if strings.Join(c.Command, " ")+strings.Join(c.Args, " ") != "migrate" {
		t.Fatalf("migration runs %q %q, want rotsd migrate", c.Command, c.Args)
	}
	url, drop := emptyDatabase(t)
	defer drop()
	cmd := exec.Command(rotsd, c.Args...)
	cmd.Env = []string{"DATABASE_URL=" + url}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "database migrated") {
		t.Fatalf("rotsd %v: %v\n%s", c.Args, err, out)
	}
	if n := countMigrations(t, url); n == 0 {
		t.Error("rotsd migrate applied no migration to an empty database")
	}
}

// checkProduction: the example region's TLS to Temporal, ingresses and
// ServiceMonitor.
func checkProduction(t *testing.T, r *rendered) {
	t.Helper()
	for _, role := range []string{"api", "worker"} {
		pod := &r.deployments[role].Spec.Template.Spec
		args := pod.Containers[0].Args
		for _, f := range []string{"-temporal-tls-ca", "-temporal-tls-cert", "-temporal-tls-key"} {
			if v := flagValue(args, f); v == "" || !fromSecretVolume(pod, &pod.Containers[0], v) {
				t.Errorf("%s: %s=%q is not a file from a Secret", role, f, v)
			}
		}
	}
	// One Ingress with TLS for the web application, one for the API's JSON
	// over HTTP, each to its Service's port http.
	backends := map[string]bool{}
	for _, ing := range r.ingresses {
		b := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
		if len(ing.Spec.TLS) != 1 || b.Port.Name != "http" {
			t.Errorf("production: Ingress %s: TLS %+v, backend %+v: want TLS to the port http", ing.Name, ing.Spec.TLS, b)
		}
		backends[b.Name] = true
	}
	if len(r.ingresses) != 2 || !backends[r.services["web"].Name] || !backends[r.services["api"].Name] {
		t.Errorf("production: Ingresses to %v, want the web and the api Services", backends)
	}
	if len(r.serviceMonitors) != 1 {
		t.Fatalf("production: %d ServiceMonitors, want one", len(r.serviceMonitors))
	}
	m := r.serviceMonitors[0]
	for role, s := range r.services {
		for k, v := range m.Spec.Selector.MatchLabels {
			if s.Labels[k] != v {
				t.Errorf("the ServiceMonitor does not select the %s Service (%s=%s)", role, k, v)
			}
		}
	}
	if len(m.Spec.Endpoints) != 1 || m.Spec.Endpoints[0].Port != "metrics" || m.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v", m.Spec.Endpoints)
	}
}

// flagValue is the value of -name=value in args.
func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// containerPort is the number of the port named (or numbered) port.
func containerPort(c *corev1.Container, port string) int32 {
	for _, p := range c.Ports {
		if p.Name == port || fmt.Sprint(p.ContainerPort) == port {
			return p.ContainerPort
		}
	}
	return 0
}

// fromSecretVolume reports whether path is in a volume mounted from a
// Secret.
func fromSecretVolume(pod *corev1.PodSpec, c *corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if filepath.Dir(path) != filepath.Clean(m.MountPath) {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.Secret != nil && v.Secret.SecretName != "" {
				return true
			}
		}
	}
	return false
}
