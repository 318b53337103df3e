/* Reading keel.cfg and modules from the directory keel.efi was loaded from. */
#include "loader.h"

#define MAX_FILE_SIZE	0xf0000000ULL

/* Append the ASCII or UCS-2 string to dst[*len]; false if it does not fit. */
static bool path_add(CHAR16 *dst, u32 *len, const CHAR16 *w, const char *a,
		     u32 n)
{
	u32 i;

	if (*len + n >= LOADER_PATH_LEN)
		return false;
	for (i = 0; i < n; i++) {
		CHAR16 c = w ? w[i] : (CHAR16)(u8)a[i];

		dst[(*len)++] = c == '/' ? '\\' : c;
	}
	dst[*len] = 0;
	return true;
}

/* Directory part of the image's file path (media file-path nodes joined). */
static void image_dir(EFI_DEVICE_PATH *dp, CHAR16 *dir)
{
	u32 len = 0, i, cut = 0, n;

	dir[0] = 0;
	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathNodeLength(dp) < 4)
			break;
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH ||
		    DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		n = (DevicePathNodeLength(dp) - 4) / sizeof(CHAR16);
		for (i = 0; i < n && ((FILEPATH_DEVICE_PATH *)dp)->PathName[i]; i++)
			;
		if (len && dir[len - 1] != '\\' && !path_add(dir, &len, NULL, "\\", 1))
			break;
		if (!path_add(dir, &len, ((FILEPATH_DEVICE_PATH *)dp)->PathName,
			      NULL, i))
			break;
	}
	for (i = 0; i < len; i++)
		if (dir[i] == '\\')
			cut = i + 1;
	dir[cut] = 0;
}

EFI_STATUS boot_dir_open(EFI_LOADED_IMAGE *li, struct boot_dir *bd)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS status;

	bd->root = NULL;
	status = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle,
				   &gEfiSimpleFileSystemProtocolGuid,
				   (void **)&fs);
	if (EFI_ERROR(status))
		return status;
	status = uefi_call_wrapper(fs->OpenVolume, 2, fs, &bd->root);
	if (EFI_ERROR(status)) {
		bd->root = NULL;
		return status;
	}
	image_dir(li->FilePath, bd->dir);
	return EFI_SUCCESS;
}

void boot_dir_close(struct boot_dir *bd)
{
	if (bd->root)
		uefi_call_wrapper(bd->root->Close, 1, bd->root);
	bd->root = NULL;
}

static EFI_STATUS open_file(struct boot_dir *bd, const char *name,
			    EFI_FILE_HANDLE *fh, u64 *size)
{
	CHAR16 path[LOADER_PATH_LEN];
	EFI_FILE_INFO *info;
	EFI_STATUS status;
	u32 len = 0;

	if (!bd->root)
		return EFI_NOT_FOUND;
	path[0] = 0;
	if (name[0] != '\\' && name[0] != '/' &&
	    !path_add(path, &len, bd->dir, NULL, StrLen(bd->dir)))
		return EFI_BAD_BUFFER_SIZE;
	if (!path_add(path, &len, NULL, name, strlen(name)))
		return EFI_BAD_BUFFER_SIZE;

	status = uefi_call_wrapper(bd->root->Open, 5, bd->root, fh, path,
				   EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(status))
		return status;
	info = LibFileInfo(*fh);
	if (!info) {
		status = EFI_DEVICE_ERROR;
	} else if (info->Attribute & EFI_FILE_DIRECTORY) {
		status = EFI_INVALID_PARAMETER;
	} else if (info->FileSize > MAX_FILE_SIZE) {
		status = EFI_BAD_BUFFER_SIZE;
	} else {
		*size = info->FileSize;
	}
	if (info)
		FreePool(info);
	if (EFI_ERROR(status))
		uefi_call_wrapper((*fh)->Close, 1, *fh);
	return status;
}

static EFI_STATUS read_all(EFI_FILE_HANDLE fh, void *buf, u64 size)
{
	EFI_STATUS status;
	u64 done = 0;
	UINTN chunk;

	while (done < size) {
		chunk = size - done;
		status = uefi_call_wrapper(fh->Read, 3, fh, &chunk,
					   (u8 *)buf + done);
		if (EFI_ERROR(status))
			return status;
		if (!chunk)
			return EFI_END_OF_FILE;
		done += chunk;
	}
	return EFI_SUCCESS;
}

EFI_STATUS boot_file_read_pool(struct boot_dir *bd, const char *name,
			       u64 max_size, void **buf, u64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS status;

	status = open_file(bd, name, &fh, size);
	if (EFI_ERROR(status))
		return status;
	if (*size > max_size) {
		status = EFI_BAD_BUFFER_SIZE;
	} else {
		*buf = AllocatePool(*size ? *size : 1);
		if (!*buf)
			status = EFI_OUT_OF_RESOURCES;
		else
			status = read_all(fh, *buf, *size);
		if (EFI_ERROR(status) && *buf)
			FreePool(*buf);
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	return status;
}

EFI_STATUS boot_file_read_pages(struct boot_dir *bd, const char *name,
				u64 *phys, u64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS status;

	status = open_file(bd, name, &fh, size);
	if (EFI_ERROR(status))
		return status;
	/* Freed by alloc_free_all() if a later step fails. */
	status = alloc_pages(*size, phys);
	if (!EFI_ERROR(status))
		status = read_all(fh, (void *)(uptr)*phys, *size);
	uefi_call_wrapper(fh->Close, 1, fh);
	return status;
}
