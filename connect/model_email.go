package connect

import (
	"errors"
	"time"

	"github.com/connectmail/connectmail/fault"
)

// File statuses (the model's FileStatusType).
const (
	FileProcessing = "PROCESSING"
	FileApproved   = "APPROVED"
	FileRejected   = "REJECTED"
	FileFailed     = "FAILED"
)

// File is an attached file: a file uploaded for a resource (an email
// contact) through StartAttachedFileUpload and the upload URL.
type File struct {
	ID         string
	ARN        string
	InstanceID string
	// AssociatedResourceARN is the resource the file belongs to (a contact ARN).
	AssociatedResourceARN string
	Name                  string
	// Size is the declared size; the uploaded data must have exactly this many bytes.
	Size        int64
	UseCase     string
	ContentType string
	// Status is PROCESSING until CompleteAttachedFileUpload, then APPROVED.
	Status    string
	CreatedAt time.Time
	CreatedBy CreatedByInfo
	Tags      map[string]string
	// Uploaded tells whether the data has been stored.
	Uploaded bool
}

// FileLimits bound the files of one associated resource; a Store checks them
// inside the transaction that creates a file.
type FileLimits struct {
	// MaxCount is the most files one resource may have.
	MaxCount int
	// MaxTotalBytes bounds the sum of the declared sizes of a resource's files.
	MaxTotalBytes int64
}

// The reasons of the attached-file errors (the model's
// AttachedFileInvalidRequestExceptionReason and
// AttachedFileServiceQuotaExceededExceptionReason).
const (
	ReasonInvalidFileSize        = "INVALID_FILE_SIZE"
	ReasonInvalidFileType        = "INVALID_FILE_TYPE"
	ReasonInvalidFileName        = "INVALID_FILE_NAME"
	ReasonTotalFileSizeExceeded  = "TOTAL_FILE_SIZE_EXCEEDED"
	ReasonTotalFileCountExceeded = "TOTAL_FILE_COUNT_EXCEEDED"
)

// The errors a FileStore returns when a new file would break FileLimits
// (kind fault.Quota); the Service words them for the caller.
var (
	ErrTooManyFiles  error = &fault.Error{Kind: fault.Quota, Message: "the resource has the most files allowed"}
	ErrFilesTooLarge error = &fault.Error{Kind: fault.Quota, Message: "the resource's files would exceed the total size allowed"}
)

// Check is the rule a FileStore applies inside the transaction that adds a
// file of size bytes to a resource that has count files of total bytes:
// ErrTooManyFiles or ErrFilesTooLarge when the file would break the limits.
func (l FileLimits) Check(count int, total, size int64) error {
	if l.MaxCount > 0 && count+1 > l.MaxCount {
		return ErrTooManyFiles
	}
	if l.MaxTotalBytes > 0 && total+size > l.MaxTotalBytes {
		return ErrFilesTooLarge
	}
	return nil
}

// fileQuotaError words a FileStore's quota error for the caller.
func fileQuotaError(err error) error {
	var reason, message string
	switch {
	case errors.Is(err, ErrTooManyFiles):
		reason, message = ReasonTotalFileCountExceeded, "The resource already has the maximum number of attached files"
	case errors.Is(err, ErrFilesTooLarge):
		reason, message = ReasonTotalFileSizeExceeded, "The total size of the resource's attached files would exceed the quota"
	default:
		return err
	}
	return &fault.Error{Kind: fault.Quota, Message: message,
		Reason: map[string]any{"AttachedFileServiceQuotaExceededExceptionReason": reason}}
}

// fileInvalid is an invalid-request error with an attached-file reason.
func fileInvalid(reason, format string, args ...any) *fault.Error {
	e := fault.New(fault.Invalid, format, args...)
	e.Reason = map[string]any{"AttachedFileInvalidRequestExceptionReason": reason}
	return e
}

// QueueEmailAddress links an email address to a queue of an instance.
// connectmail has no queue resources: a queue exists for it as soon as an
// address is associated with it.
type QueueEmailAddress struct {
	InstanceID     string
	QueueID        string
	EmailAddressID string
	// Default marks the queue's default outbound address (at most one per queue).
	Default bool
	// ModifiedAt is when the link was created or last changed.
	ModifiedAt time.Time
}

// Resource types a TagResource ARN can name.
const (
	ResourceInstance     = "instance"
	ResourceEmailAddress = "email-address"
	ResourceContact      = "contact"
	ResourceFile         = "file"
)

// ResourceRef names a taggable resource of an instance.
type ResourceRef struct {
	// Type is one of the Resource* constants.
	Type       string
	InstanceID string
	// ID is the resource's id within the instance (the instance id for an instance).
	ID string
}
