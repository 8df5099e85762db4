{{/* The release's base name: "<release>-rotsd", or the release alone when it says rotsd already. */}}
{{- define "rotsd.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "rotsd.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rotsd.labels" -}}
{{ include "rotsd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "rotsd.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Pod-level security: the image's user 65532, never root. */}}
{{- define "rotsd.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "rotsd.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* A secret's key as an environment variable. */}}
{{- define "rotsd.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret.name }}
      key: {{ .secret.key }}
{{- end -}}

{{/* The environment every rotsd serve process reads: settings from values, secrets by reference. */}}
{{- define "rotsd.env" -}}
{{ include "rotsd.secretEnv" (dict "env" "DATABASE_URL" "secret" .Values.secrets.database) }}
- name: ROTS_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: ROTS_REPORT_THRESHOLD
  value: {{ .Values.reportThreshold | quote }}
- name: ROTS_OIDC_ISSUER
  value: {{ required "oidc.issuer is required" .Values.oidc.issuer | quote }}
- name: ROTS_OIDC_AUDIENCE
  value: {{ .Values.oidc.audience | quote }}
- name: ROTS_OIDC_ROLE_CLAIM
  value: {{ .Values.oidc.roleClaim | quote }}
- name: ROTS_OIDC_REGION_CLAIM
  value: {{ .Values.oidc.regionClaim | quote }}
- name: ROTS_OIDC_ORG_CLAIM
  value: {{ .Values.oidc.orgClaim | quote }}
{{- with .Values.oidc.acmRolesClaim }}
- name: ROTS_OIDC_ACM_ROLES_CLAIM
  value: {{ . | quote }}
{{- end }}
{{- with .Values.oidc.acmRoles }}
- name: ROTS_OIDC_ACM_ROLES
  value: {{ . | quote }}
{{- end }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
{{- with .Values.smtp.host }}
- name: ROTS_SMTP_HOST
  value: {{ . | quote }}
- name: ROTS_SMTP_PORT
  value: {{ $.Values.smtp.port | quote }}
- name: ROTS_SMTP_FROM
  value: {{ $.Values.smtp.from | quote }}
- name: ROTS_SMTP_TLS
  value: {{ $.Values.smtp.tls | quote }}
{{- with $.Values.smtp.username }}
- name: ROTS_SMTP_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if .Values.secrets.smtp.name }}
{{ include "rotsd.secretEnv" (dict "env" "ROTS_SMTP_PASSWORD" "secret" .Values.secrets.smtp) }}
{{- end }}
{{- if .Values.secrets.temporalAPIKey.name }}
{{ include "rotsd.secretEnv" (dict "env" "TEMPORAL_API_KEY" "secret" .Values.secrets.temporalAPIKey) }}
{{- end }}
{{- end -}}

{{/* Egress to the cluster's DNS. */}}
{{- define "rotsd.egressDNS" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}
