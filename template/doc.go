// Package template is connectmail's Amazon Q in Connect (qconnect) domain:
// knowledge bases of type MESSAGE_TEMPLATES, message templates with their
// versions, qualifiers, attachments and tags, rendering (RenderMessageTemplate)
// and the rendering of TEMPLATE messages for Connect's
// StartOutboundEmailContact (Service implements connect.TemplateRenderer).
//
// # Knowledge bases
//
// Only the MESSAGE_TEMPLATES type is served; any other type is refused with a
// validation error that says so. Knowledge bases are regional: the region is
// the one of the caller's SigV4 scope and is part of every ARN
// (arn:aws:wisdom:<region>:<account>:knowledge-base/<id>). Names are unique
// per region, and a region holds at most Config.MaxKnowledgeBases (10, the
// AWS quota).
//
// # Templates, versions and qualifiers
//
// A template is its metadata (name, description, grouping configuration,
// channel subtype, tags, active version) plus versions. Version 0 is the
// editable draft, addressed as $LATEST; numbered versions 1, 2, ... are
// immutable snapshots of $LATEST made by CreateMessageTemplateVersion,
// numbered monotonically (a deleted number is never reused), at most
// Config.MaxVersions (20) at a time. $ACTIVE_VERSION names the version made
// active by ActivateMessageTemplate until DeactivateMessageTemplate.
//
// A message template identifier is its UUID or ARN
// (arn:aws:wisdom:<region>:<account>:message-template/<kb-id>/<id>),
// optionally followed by ":<qualifier>" where the qualifier is $LATEST,
// $ACTIVE_VERSION or a version number. GetMessageTemplate,
// RenderMessageTemplate and TEMPLATE sends accept every qualifier (none means
// $LATEST); DeleteMessageTemplate accepts none (the whole template) or a
// version number (that version only); every other operation refuses a
// qualifier.
//
// messageTemplateContentSha256 is the SHA-256 (lower-case hex) of the
// canonical JSON of the version's content, language, defaultAttributes and
// attachments (id, name and SHA-256 of each file). CreateMessageTemplateVersion
// refuses a given checksum that differs from the one of $LATEST with a
// ConflictException, and returns the newest existing version instead of
// creating one when $LATEST has not changed since that version was taken.
//
// Template names are unique per knowledge base (ConflictException) and a
// knowledge base holds at most Config.MaxTemplates (200) templates
// (ServiceQuotaExceededException). Templates of the EMAIL and SMS channel
// subtypes are served; WHATSAPP and PUSH are refused as not supported.
// Email header names that the composer owns (From, To, Subject, Content-*,
// ...) and header values with line breaks are refused when the template is
// written, so a stored template can always be composed.
//
// # Rendering
//
// Rendering uses package render: values from the request, then the
// template's defaultAttributes; a placeholder without a value is left in the
// text verbatim and reported. Values are HTML-escaped in HTML bodies only.
// Header values are rendered as text, with any line break a value brings
// folded into a space.
//
// # TEMPLATE sends and unresolved placeholders
//
// RenderForSend resolves the knowledge base (id or ARN) and the template
// (id or ARN, with or without qualifier, $LATEST when none), renders it with
// the send's CustomAttributes, CustomerProfileAttributes (a JSON object
// string; invalid JSON or unknown members are an invalid request) and the
// System attributes of the contact, and returns subject, bodies, headers and
// attachments. This is the deliberate choice for placeholders that stay
// unresolved: the message is sent with the placeholders left verbatim (never
// blanked), exactly as RenderMessageTemplate shows it, and their paths are
// returned in RenderedTemplate.NotInterpolated, which Connect records on the
// contact for the inspection API and the UI. An unknown knowledge base,
// template or version is a not-found error and nothing is sent.
package template
