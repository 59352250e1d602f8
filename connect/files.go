package connect

import (
	"context"
	"errors"
	"path"
	"strings"
	"time"

	"github.com/connectmail/connectmail/fault"
	"github.com/google/uuid"
)

// Attached-file limits (reference §4: 20 MB per attachment, 50 attachments
// per email contact, 25 MB for a message with its attachments).
const (
	// MaxFileBytes is the largest attached file.
	MaxFileBytes = 20 << 20
	// MaxFilesPerResource is the most files one resource (contact) may have.
	MaxFilesPerResource = 50
	// MaxResourceFileBytes bounds the files of one resource together, and an
	// outbound message's body with its attachments.
	MaxResourceFileBytes = 25 << 20
	// DefaultURLExpiry is how long an upload or download URL is valid when
	// the request does not say.
	DefaultURLExpiry = 300 * time.Second
)

// fileTypes maps the file name extensions accepted for attachments to the
// content type a file with that extension is sent with.
var fileTypes = map[string]string{
	".csv":  "text/csv",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".gif":  "image/gif",
	".heic": "image/heic",
	".jfif": "image/jpeg",
	".jpeg": "image/jpeg",
	".jpg":  "image/jpeg",
	".mov":  "video/quicktime",
	".mp4":  "video/mp4",
	".pdf":  "application/pdf",
	".png":  "image/png",
	".ppt":  "application/vnd.ms-powerpoint",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".rtf":  "application/rtf",
	".txt":  "text/plain",
	".wav":  "audio/wav",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// FileContentType returns the content type of an accepted attachment file
// name, and false when its extension is not accepted.
func FileContentType(name string) (string, bool) {
	ct, ok := fileTypes[strings.ToLower(path.Ext(name))]
	return ct, ok
}

// FileURLs makes and reads the URLs at which attached files are uploaded
// and downloaded; connectmail serves them itself, on the API listener, and
// only the API layer knows their form.
type FileURLs interface {
	// Presign returns a URL, valid for expires, at which the caller of ctx
	// may send method (PUT to upload, GET to download) for the file.
	Presign(ctx context.Context, method, instanceID, fileID string, expires time.Duration) (string, error)
	// FileAt returns the instance and file an attached-file URL names; ok
	// is false for a URL that is not one.
	FileAt(rawURL string) (instanceID, fileID string, ok bool)
}

// messageFilePrefix starts the ids of the files that stand for contacts'
// email messages (ListContactReferences EMAIL_MESSAGE): "email-message-<contactId>".
const messageFilePrefix = "email-message-"

// StartAttachedFileUpload registers a file for an email contact and returns
// the URL to PUT its content to. The file is PROCESSING until
// CompleteAttachedFileUpload; APPROVED files of a contact are attached to its
// outbound message.
func (s *Service) StartAttachedFileUpload(ctx context.Context, in *StartAttachedFileUploadInput) (*FileUpload, error) {
	if s.cfg.Files == nil {
		return nil, fault.New(fault.Invalid, "Attached files are not available on this server")
	}
	if in.FileUseCaseType != "ATTACHMENT" {
		return nil, fault.New(fault.Invalid, "FileUseCaseType %s is not supported; only ATTACHMENT is", in.FileUseCaseType)
	}
	if strings.ContainsAny(in.FileName, `/\`) || strings.TrimSpace(in.FileName) != in.FileName || strings.Trim(in.FileName, ".") == "" {
		return nil, fileInvalid(ReasonInvalidFileName, "FileName %q is not a valid file name", in.FileName)
	}
	ct, ok := FileContentType(in.FileName)
	if !ok {
		return nil, fileInvalid(ReasonInvalidFileType, "Files of type %q cannot be attached", path.Ext(in.FileName))
	}
	if in.FileSizeInBytes > MaxFileBytes {
		return nil, fileInvalid(ReasonInvalidFileSize, "FileSizeInBytes %d exceeds the %d bytes an attached file may have", in.FileSizeInBytes, MaxFileBytes)
	}
	if cb := in.CreatedBy; cb != nil && (cb.ConnectUserArn == "") == (cb.AWSIdentityArn == "") {
		return nil, fault.New(fault.Invalid, "CreatedBy must have exactly one of ConnectUserArn and AWSIdentityArn")
	}
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	if _, err := s.associatedContact(ctx, inst, in.AssociatedResourceArn); err != nil {
		return nil, err
	}
	expiry := DefaultURLExpiry
	if in.URLExpiryInSeconds > 0 {
		expiry = time.Duration(in.URLExpiryInSeconds) * time.Second
	}
	now := s.now()
	id := uuid.NewString()
	f := &File{
		ID: id, ARN: inst.ARN + "/file/" + id, InstanceID: inst.ID, AssociatedResourceARN: in.AssociatedResourceArn,
		Name: in.FileName, Size: in.FileSizeInBytes, UseCase: in.FileUseCaseType, ContentType: ct,
		Status: FileProcessing, CreatedAt: now, Tags: in.Tags,
	}
	if in.CreatedBy != nil {
		f.CreatedBy = *in.CreatedBy
	}
	u, err := s.cfg.Files.Presign(ctx, "PUT", inst.ID, id, expiry)
	if err != nil {
		return nil, fault.Wrap(err, "presigning the upload URL failed")
	}
	out := &FileUpload{
		FileArn: f.ARN, FileID: f.ID, CreationTime: now, FileStatus: f.Status, CreatedBy: in.CreatedBy,
		// now was read before signing; the fraction goes, as from the
		// signature's X-Amz-Date: the expiry announced is never later than the real one.
		UploadURLMetadata: &PresignedURL{URL: u, URLExpiry: now.Truncate(time.Second).Add(expiry), HeadersToInclude: map[string]string{"Content-Type": ct}},
	}
	tok := in.ClientToken
	in.ClientToken = ClientToken{}
	err = s.cfg.Stores.Files.CreateFile(ctx, f, FileLimits{MaxCount: MaxFilesPerResource, MaxTotalBytes: MaxResourceFileBytes},
		clientIdem("StartAttachedFileUpload", tok, in, out))
	err = fileQuotaError(err)
	if ok, err := replay(err, tok.Token, out); ok || err != nil {
		return out, err
	}
	return out, nil
}

// associatedContact resolves the AssociatedResourceArn of a file: the ARN of
// an email contact of the instance.
func (s *Service) associatedContact(ctx context.Context, inst *Instance, arn string) (*Contact, error) {
	ref, err := s.parseARN(ctx, arn)
	if err != nil || ref.Type != ResourceContact || ref.InstanceID != inst.ID {
		return nil, fault.New(fault.Invalid, "AssociatedResourceArn %s is not the ARN of an email contact of instance %s", arn, inst.ID)
	}
	c, err := s.cfg.Stores.Contacts.GetContact(ctx, inst.ID, ref.ID)
	if fault.Is(err, fault.NotFound) || err == nil && c.Channel != "EMAIL" {
		return nil, fault.New(fault.Invalid, "AssociatedResourceArn %s is not the ARN of an email contact of instance %s", arn, inst.ID)
	}
	return c, err
}

// file loads a file (or a contact's message file) and checks that it belongs
// to the associated resource given.
func (s *Service) file(ctx context.Context, instanceID, fileID, associatedARN string) (*Instance, *File, error) {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return nil, nil, err
	}
	f, _, err := s.loadFile(ctx, inst, fileID, false)
	if err != nil {
		return nil, nil, err
	}
	if associatedARN != "" && f.AssociatedResourceARN != associatedARN {
		return nil, nil, fault.NotFoundf("File", "File %s is not associated with %s", fileID, associatedARN)
	}
	return inst, f, nil
}

// loadFile loads a file's metadata and, when data is set, its content.
func (s *Service) loadFile(ctx context.Context, inst *Instance, fileID string, data bool) (*File, []byte, error) {
	if cid, ok := strings.CutPrefix(fileID, messageFilePrefix); ok {
		c, err := s.cfg.Stores.Contacts.GetContact(ctx, inst.ID, cid)
		if err == nil {
			var m *Message
			if m, err = s.cfg.Stores.Contacts.GetMessage(ctx, c.ID); err == nil {
				return &File{
					ID: fileID, ARN: inst.ARN + "/file/" + fileID, InstanceID: inst.ID, AssociatedResourceARN: c.ARN,
					Name: c.ID + ".eml", Size: int64(len(m.Raw)), UseCase: "EMAIL_MESSAGE", ContentType: "message/rfc822",
					Status: FileApproved, CreatedAt: c.InitiatedAt, Uploaded: true,
				}, m.Raw, nil
			}
		}
		if fault.Is(err, fault.NotFound) {
			return nil, nil, fault.NotFoundf("File", "File not found: %s", fileID)
		}
		return nil, nil, err
	}
	f, err := s.cfg.Stores.Files.GetFile(ctx, inst.ID, fileID)
	if fault.Is(err, fault.NotFound) {
		return nil, nil, fault.NotFoundf("File", "File not found: %s", fileID)
	}
	if err != nil || !data {
		return f, nil, err
	}
	b, err := s.cfg.Stores.Files.FileData(ctx, inst.ID, fileID)
	if fault.Is(err, fault.NotFound) {
		return nil, nil, fault.New(fault.Invalid, "File %s has not been uploaded", fileID)
	}
	return f, b, err
}

// CompleteAttachedFileUpload marks an uploaded file APPROVED. Completing an
// APPROVED file again succeeds.
func (s *Service) CompleteAttachedFileUpload(ctx context.Context, in *AttachedFileInput) error {
	inst, f, err := s.file(ctx, in.InstanceID, in.FileID, in.AssociatedResourceArn)
	if err != nil {
		return err
	}
	switch {
	case f.Status == FileApproved:
		return nil
	case f.Status != FileProcessing:
		return fault.New(fault.Invalid, "File %s is %s", f.ID, f.Status)
	case !f.Uploaded:
		return fault.New(fault.Invalid, "File %s has not been uploaded: PUT its content to the upload URL first", f.ID)
	}
	err = s.cfg.Stores.Files.SetFileStatus(ctx, inst.ID, f.ID, FileProcessing, FileApproved)
	if fault.Is(err, fault.Conflict) {
		return nil // completed concurrently
	}
	return fileErr(err, f.ID)
}

// GetAttachedFile returns a file; an APPROVED file comes with a URL to
// download its content (nil otherwise).
func (s *Service) GetAttachedFile(ctx context.Context, in *AttachedFileInput) (*File, *PresignedURL, error) {
	inst, f, err := s.file(ctx, in.InstanceID, in.FileID, in.AssociatedResourceArn)
	if err != nil {
		return nil, nil, err
	}
	if f.Status != FileApproved || s.cfg.Files == nil {
		return f, nil, nil
	}
	expiry := DefaultURLExpiry
	if in.URLExpiryInSeconds > 0 {
		expiry = time.Duration(in.URLExpiryInSeconds) * time.Second
	}
	// Read the clock before signing and drop the fraction, as the
	// signature's X-Amz-Date does: the expiry announced is never later
	// than the real one.
	signed := s.now().Truncate(time.Second)
	u, err := s.cfg.Files.Presign(ctx, "GET", inst.ID, f.ID, expiry)
	if err != nil {
		return nil, nil, fault.Wrap(err, "presigning the download URL failed")
	}
	return f, &PresignedURL{URL: u, URLExpiry: signed.Add(expiry)}, nil
}

// UploadFile stores the content PUT to a file's upload URL; the caller has
// verified the URL's signature. The content must have the declared size.
func (s *Service) UploadFile(ctx context.Context, instanceID, fileID string, data []byte) error {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return err
	}
	f, _, err := s.loadFile(ctx, inst, fileID, false)
	if err != nil {
		return err
	}
	if f.UseCase != "ATTACHMENT" || f.Status != FileProcessing {
		return fault.New(fault.Conflict, "File %s cannot be uploaded: it is %s", fileID, f.Status)
	}
	if int64(len(data)) != f.Size {
		return fileInvalid(ReasonInvalidFileSize, "The upload has %d bytes; StartAttachedFileUpload declared %d", len(data), f.Size)
	}
	err = s.cfg.Stores.Files.PutFileData(ctx, inst.ID, f.ID, data)
	if errors.Is(err, ErrFileStatus) { // completed concurrently
		status := f.Status
		if now, gerr := s.cfg.Stores.Files.GetFile(ctx, inst.ID, f.ID); gerr == nil {
			status = now.Status
		}
		return fault.New(fault.Conflict, "file %s is %s; its upload is complete", f.ID, status)
	}
	return fileErr(err, f.ID)
}

// DownloadFile returns an APPROVED file and its content for its download
// URL; the caller has verified the URL's signature.
func (s *Service) DownloadFile(ctx context.Context, instanceID, fileID string) (*File, []byte, error) {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return nil, nil, err
	}
	f, data, err := s.loadFile(ctx, inst, fileID, true)
	if err != nil {
		return nil, nil, err
	}
	if f.Status != FileApproved {
		return nil, nil, fault.New(fault.Conflict, "File %s is %s, not APPROVED", fileID, f.Status)
	}
	return f, data, nil
}

// contactAttachments returns the attachments of a contact's outbound
// message: its APPROVED ATTACHMENT files. A file that is still being
// uploaded fails the send rather than being left out silently. bodyBytes is
// the size of the message body, which counts towards MaxResourceFileBytes.
func (s *Service) contactAttachments(ctx context.Context, c *Contact, bodyBytes int) ([]Attachment, error) {
	files, err := s.cfg.Stores.Files.ListFiles(ctx, c.InstanceID, c.ARN)
	if err != nil {
		return nil, err
	}
	total := int64(bodyBytes)
	var out []Attachment
	for _, f := range files {
		if f.UseCase != "ATTACHMENT" {
			continue
		}
		if f.Status != FileApproved {
			return nil, fault.New(fault.Invalid, "Attached file %s (%s) is %s: complete its upload with CompleteAttachedFileUpload before sending", f.ID, f.Name, f.Status)
		}
		total += f.Size
		if total > MaxResourceFileBytes {
			return nil, &fault.Error{Kind: fault.Quota, Message: "The message with its attachments exceeds the size limit",
				Reason: map[string]any{"AttachedFileServiceQuotaExceededExceptionReason": ReasonTotalFileSizeExceeded}}
		}
		data, err := s.cfg.Stores.Files.FileData(ctx, c.InstanceID, f.ID)
		if err != nil {
			return nil, fileErr(err, f.ID)
		}
		out = append(out, Attachment{Filename: f.Name, ContentType: f.ContentType, Data: data})
	}
	return out, nil
}

// localFile resolves an attachment URL that points at an APPROVED attached
// file of the instance on this server.
func (s *Service) localFile(ctx context.Context, inst *Instance, raw string) (*File, []byte, bool) {
	if s.cfg.Files == nil {
		return nil, nil, false
	}
	instID, fileID, ok := s.cfg.Files.FileAt(raw)
	if !ok || instID != inst.ID {
		return nil, nil, false
	}
	f, data, err := s.loadFile(ctx, inst, fileID, true)
	if err != nil || f.Status != FileApproved {
		return nil, nil, false
	}
	return f, data, true
}
