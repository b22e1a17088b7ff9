// placeholder: implementation in progress
namespace dm {}
