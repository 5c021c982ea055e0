{{/* Names, labels and the image, shared by every template. */}}

{{- define "nara.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release name, or release-chart when the release name does not contain the chart's. */}}
{{- define "nara.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "nara.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels never change after the first install: a Deployment's selector is immutable. */}}
{{- define "nara.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nara.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "nara.labels" -}}
helm.sh/chart: {{ include "nara.chart" . }}
{{ include "nara.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "nara.image" -}}
{{- $repository := required "image.repository is required: build an image with deploy/Dockerfile and push it (docs/deployment.md)" .Values.image.repository }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The nara.yaml the pods run with: .Values.config, with the keys the chart must own put back, so that
the listening address, the data directory and the secret-bearing URLs always match the pod spec.
*/}}
{{- define "nara.config" -}}
{{- $config := deepCopy .Values.config }}
{{- if not $config.backends }}
{{- fail "config.backends: list at least one engine (docs/deployment.md)" }}
{{- end }}
{{- $server := default (dict) $config.server }}
{{- $_ := set $server "host" "0.0.0.0" }}
{{- $_ = set $server "port" (int .Values.containerPort) }}
{{- $database := default (dict) $config.database }}
{{- $_ = set $database "url" (dict "env" "DATABASE_URL") }}
{{- $redis := default (dict) $config.redis }}
{{- $_ = set $redis "url" (dict "env" "REDIS_URL") }}
{{- $_ = set $config "server" $server }}
{{- $_ = set $config "database" $database }}
{{- $_ = set $config "redis" $redis }}
{{- $_ = set $config "dataDir" "/var/lib/nara" }}
{{- toYaml $config }}
{{- end }}

{{/* Seconds Nara may spend draining after SIGTERM: shutdownGraceMs rounded up. */}}
{{- define "nara.drainSeconds" -}}
{{- $ms := int (dig "server" "shutdownGraceMs" 10000 .Values.config) }}
{{- div (add $ms 999) 1000 }}
{{- end }}
