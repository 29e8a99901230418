{{/* The chart's name, or nameOverride; at most 63 characters, Kubernetes' limit on a label value. */}}
{{- define "example-data-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name the release's objects share: fullnameOverride, else the release's name, prefixed with the chart's name
unless it already holds it. 63 characters at most, as DNS names allow.
*/}}
{{- define "example-data-app.fullname" -}}
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

{{/* chart label: name and version, with the "+" of SemVer build metadata replaced, as label values allow. */}}
{{- define "example-data-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object: Kubernetes' recommended app.kubernetes.io set. */}}
{{- define "example-data-app.labels" -}}
helm.sh/chart: {{ include "example-data-app.chart" . }}
{{ include "example-data-app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The labels that select the release's pods: fixed for a release's life, since a selector cannot change. */}}
{{- define "example-data-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "example-data-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the pods run as. */}}
{{- define "example-data-app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "example-data-app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
